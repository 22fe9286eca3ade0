/**
 * keel drift recording into a PostgreSQL history (Debian's server, started here on loopback) from
 * two controllers at once, each with its own state dir, and keel history reading it back: the
 * URL carries no password (PGPASSWORD does), and one carrying one is refused before any run.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keel, keelJson } from '../helpers/keel.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { labHosts, labSkip } from '../lab/lab-env.js';
import type { LabTestHost } from '../lab/global-setup.js';
import { labProject, onHost, type LabProject } from '../lab-ssh/lab-inventory.js';

describe.skipIf(!!labSkip)('a PostgreSQL drift history shared by two controllers', () => {
  const root = `/srv/keel-pgdrift-${randomBytes(3).toString('hex')}`;
  let h: LabTestHost;
  let p: LabProject;
  let pg: TestPostgres;
  const dirs: string[] = [];

  beforeAll(async () => {
    pg = await startPostgres();
    h = labHosts().find((x) => x.name === 'lab4')!;
    p = labProject([h], { lab4: { address: h.address, states: ['motd'] } });
    p.writeState('motd', `resources:\n  - directory: ${root}\n  - file: ${root}/motd\n    content: "hello\\n"\n`);
    const c = await keel(['converge', '-i', p.inventory]);
    expect(c.code, c.stdout + c.stderr).toBe(0);
  });

  afterAll(async () => {
    await pg?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    if (h) await onHost(h, `rm -rf ${root}`);
  });

  const stateDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'keel-ctl-'));
    dirs.push(d);
    return d;
  };

  it('records both runs once each, one open episode, readable by keel history', async () => {
    const bad = await keel(['drift', '-i', p.inventory, '--history', `postgres://keel:${pg.password}@127.0.0.1:${pg.port}/keel`]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--history: the URL carries a password');
    expect(bad.stderr).not.toContain(pg.password);

    await onHost(h, `echo edited > ${root}/motd`);
    const env = pg.env;
    const [a, b] = await Promise.all([
      // both check lab4 at once: one waits for the other's host lock
      keelJson(['drift', '-i', p.inventory, '--state-dir', stateDir(), '--history', pg.url, '--lock-timeout', '60'], { env }),
      keelJson(['drift', '-i', p.inventory, '--state-dir', stateDir(), '--history', pg.url, '--lock-timeout', '60'], { env }),
    ]);
    expect([a.code, b.code], a.stderr + b.stderr).toEqual([2, 2]);
    const r = await keel(['history', '--history', pg.url, '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    const v = JSON.parse(r.stdout);
    expect(v.runs).toHaveLength(2);
    expect(v.runs.map((x: { exitCode: number; hosts: number }) => [x.exitCode, x.hosts])).toEqual([[2, 1], [2, 1]]);
    expect(v.episodes).toEqual([expect.objectContaining({ host: 'lab4', resource: `file:${root}/motd`, status: 'open', seenRuns: 2 })]);
    expect(v.episodes[0].lastDiff).toContain('-edited');

    const fixed = await keel(['converge', '-i', p.inventory]);
    expect(fixed.code, fixed.stderr).toBe(0);
    const again = await keelJson(['drift', '-i', p.inventory, '--state-dir', stateDir(), '--history', pg.url], { env });
    expect(again.code, again.stderr).toBe(0);
    const text = await keel(['history', '--history', pg.url], { env });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('drift (0 open, 1 resolved):');
    expect(text.stdout).toMatch(new RegExp(`lab4\\s+file:${root}/motd\\s+fixed`));
  });
});
