/**
 * keel facts [PATTERN]: what keel knows about each host, as states see it (`facts.os.family`,
 * ...): one connection and one exec of the facts snippet per host, nothing changed. Text (one
 * `facts.x = value` line per fact) or `--json` ({"hosts": {NAME: facts}}); an unreachable host is
 * named with its error and the exit code is 1.
 */
import pLimit from 'p-limit';
import { connect } from '../transport/connect.js';
import { promptPassphrase } from './prompt.js';
import { errorMessage } from '../errors.js';
import { FACTS_SNIPPET, parseFacts } from '../facts/gather.js';
import { stateFacts } from '../facts/state-facts.js';
import type { StateFacts } from '../facts/types.js';
import { runProbes } from '../engine/probe-host.js';
import { createLogger } from '../log.js';
import { escapeTerminalLine } from '../report/escape.js';
import { selectHosts } from '../config/index.js';
import { loadCommon, type CommonFlags } from './load.js';

export async function factsCommand(pattern: string | undefined, flags: CommonFlags & { json?: boolean; forks: number; acceptNew?: boolean }): Promise<void> {
  const log = createLogger(flags.logLevel, flags.logFile);
  const { inv } = await loadCommon({ ...flags, limit: undefined });
  const hosts = selectHosts(inv, pattern ?? flags.limit);
  const limit = pLimit(flags.forks);
  const results = await Promise.all(
    hosts.map((name) => limit(async (): Promise<[string, StateFacts | { error: string }]> => {
      const host = inv.hosts.get(name)!;
      try {
        const t = await connect(host.connection, { log, acceptNew: flags.acceptNew, promptPassphrase });
        try {
          const [out] = await runProbes(t, [FACTS_SNIPPET], host.connection.become);
          return [name, stateFacts(parseFacts(out.text))];
        } finally {
          await t.close();
        }
      } catch (e) {
        return [name, { error: errorMessage(e) }];
      }
    })),
  );
  if (flags.json) process.stdout.write(`${JSON.stringify({ hosts: Object.fromEntries(results) }, null, 2)}\n`);
  else process.stdout.write(results.map(([name, f]) => `${escapeTerminalLine(name)}:\n${'error' in f ? `  error: ${escapeTerminalLine(f.error)}\n` : lines(f)}`).join(''));
  if (results.some(([, f]) => 'error' in f)) process.exitCode = 1;
}

/** `  facts.os.family = "debian"`: the name a state writes, and the value as JSON. */
function lines(f: StateFacts, prefix = 'facts'): string {
  return Object.entries(f)
    .map(([k, v]) => (v && typeof v === 'object' && !Array.isArray(v) ? lines(v as StateFacts, `${prefix}.${k}`) : `  ${prefix}.${k} = ${escapeTerminalLine(JSON.stringify(v))}\n`))
    .join('');
}
