/**
 * Each command loads only what it uses (issue 10): the real CLI runs with a loader hook that
 * lists every module the process loaded (test/helpers/trace-loads.mjs), and the list is checked.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO, keel } from '../helpers/keel.js';

const TRACE = pathToFileURL(join(REPO, 'test', 'helpers', 'trace-loads.mjs')).href;
const dir = mkdtempSync(join(tmpdir(), 'keel-lazy-'));

async function loadedBy(args: string[]): Promise<string[]> {
  const out = join(dir, `${args.join('-').replace(/\W+/g, '_')}.txt`);
  const res = await keel(args, { env: { NODE_OPTIONS: `--import ${TRACE}`, KEEL_TRACE_LOADS: out } });
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  return readFileSync(out, 'utf8').split('\n').filter(Boolean);
}

const matching = (loaded: string[], part: string) => loaded.filter((f) => f.includes(part));

// what no command that stays on the controller needs: SSH, diffs, the history database, the drift code, logging
const NEVER_OFFLINE = ['/node_modules/ssh2/', '/node_modules/diff/', '/node_modules/better-sqlite3/', '/src/drift/', '/src/transport/ssh/', '/node_modules/pino/'];

describe('lazy loading: a command loads only what it uses', () => {
  it('keel --help loads commander and the command table, not the config, the modules or any heavy library', async () => {
    const loaded = await loadedBy(['--help']);
    expect(matching(loaded, '/src/cli/main.ts')).toHaveLength(1);
    expect(matching(loaded, '/node_modules/commander/').length).toBeGreaterThan(0);
    for (const part of [...NEVER_OFFLINE, '/node_modules/fastify/', '/node_modules/pg/', '/src/serve/', '/node_modules/yaml/', '/node_modules/ajv/', '/node_modules/nunjucks/', '/node_modules/age-encryption/', '/modules/', '/src/config/', '/src/engine/run']) {
      expect(matching(loaded, part), part).toEqual([]);
    }
  });

  it.each([['validate'], ['graph', '-l', 'web1']])('keel %s loads the config and the modules, not SSH, diff, sqlite, the drift code or pino', async (...args) => {
    const loaded = await loadedBy(args);
    // the trace sees both kinds of module: ES modules (keel's own, through tsx) and CommonJS (nunjucks)
    expect(matching(loaded, '/src/config/compile.ts')).toHaveLength(1);
    expect(matching(loaded, '/modules/file/').length).toBeGreaterThan(0);
    expect(matching(loaded, '/node_modules/nunjucks/').length).toBeGreaterThan(0);
    for (const part of NEVER_OFFLINE) expect(matching(loaded, part), part).toEqual([]);
  });
});
