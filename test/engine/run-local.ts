/**
 * keel plan/converge in-process: the same steps as src/cli/run-command.ts (load, select, compile,
 * run, exit code, text report) over the REAL LocalTransport (or real SSH for a host that is not
 * `connection: local`), optionally wrapped (counting).
 * Many variants cost milliseconds here instead of a CLI spawn each.
 */
import { builtinModules } from '../../modules/index.js';
import type { ModuleSet } from '../../src/module-set.js';
import type { LockSettings } from '../../src/engine/remote-lock.js';
import { loadInventory, parseVarArgs, selectHosts } from '../../src/config/index.js';
import { compileJobs } from '../../src/engine/compile.js';
import { exitCode } from '../../src/engine/exit-code.js';
import { runJobs } from '../../src/engine/run.js';
import { silentLogger } from '../../src/log.js';
import { renderText } from '../../src/report/text.js';
import type { RunReport } from '../../src/report/types.js';
import { connect } from '../../src/transport/connect.js';
import { LocalTransport } from '../../src/transport/local.js';
import type { Transport } from '../../src/transport/types.js';

export interface LocalRunOptions {
  vars?: string[];
  limit?: string;
  tags?: string[];
  detailed?: boolean;
  wrap?: (t: Transport) => Transport;
  /** The modules to compile and run with (default: the built-in ones). */
  modules?: ModuleSet;
  /** Hold each host's run lock, as the CLI's converge does. */
  lock?: LockSettings;
}

export interface LocalRun {
  report: RunReport;
  text: string;
  code: number;
}

export async function runLocal(command: 'plan' | 'converge', inventory: string, opts: LocalRunOptions = {}): Promise<LocalRun> {
  const inv = loadInventory(inventory, { vars: parseVarArgs(opts.vars ?? []) });
  const jobs = compileJobs(inv, selectHosts(inv, opts.limit), opts.modules ?? builtinModules, opts.tags ?? []);
  const report = await runJobs(jobs, {
    command,
    forks: 20,
    log: silentLogger,
    lock: opts.lock,
    connect: async (job) => {
      // a lab host in the inventory is reached over real SSH, as the CLI would
      const t = job.host.connection.connection === 'local' ? new LocalTransport(job.host.name, job.host.connection.becomeUser) : await connect(job.host.connection, { log: silentLogger });
      return opts.wrap ? opts.wrap(t) : t;
    },
  });
  return { report, text: renderText(report, { color: false }), code: exitCode(report, opts.detailed) };
}

/** One resource's report by id (throws a readable error when it is missing). */
export function resource(run: LocalRun, id: string, host?: string) {
  const h = host ? run.report.hosts.find((x) => x.host === host) : run.report.hosts[0];
  const r = h?.resources.find((x) => x.id === id);
  if (!r) throw new Error(`no resource ${id} in the report:\n${run.text}`);
  return r;
}
