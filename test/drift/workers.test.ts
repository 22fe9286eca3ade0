/**
 * Two keel workers and ten lab hosts over SSH, one PostgreSQL queue and history (Debian's server,
 * started here): an enqueued drift run with one worker killed (SIGKILL) while it holds jobs; the
 * other worker takes them once their lease runs out, every host's result is taken exactly once,
 * the report is complete and in host order, and the history holds the run once with all ten
 * hosts. Then converge --enqueue over both workers fixes the drift, and a direct plan agrees.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openQueue } from '../../src/queue/open-queue.js';
import type { Queue } from '../../src/queue/queue.js';
import { keel, keelJson } from '../helpers/keel.js';
import { startKeel, type KeelProcess } from '../helpers/keel-process.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import type { LabTestHost } from '../lab/global-setup.js';
import { labHosts, labSkip } from '../lab/lab-env.js';
import { labProject, onHost, type LabProject } from '../lab-ssh/lab-inventory.js';

const LEASE = 3;

describe.skipIf(!!labSkip)('two workers, ten hosts, one worker killed mid-run', () => {
  const root = `/srv/keel-workers-${randomBytes(3).toString('hex')}`;
  let lab: LabTestHost[];
  let p: LabProject;
  let pg: TestPostgres;
  let queue: Queue;
  const workers: KeelProcess[] = [];

  // A, the one killed, has a short lease (its jobs come back soon); the others a long one
  const worker = (name: string, lease = 60) => {
    const w = startKeel(['worker', '--queue', pg.url, '-i', p.inventory, '--concurrency', '3', '--lease', String(lease), '--name', name], { env: pg.env });
    workers.push(w);
    return w;
  };

  beforeAll(async () => {
    lab = labHosts();
    expect(lab).toHaveLength(10);
    pg = await startPostgres();
    const hosts: Record<string, Record<string, unknown>> = {};
    for (const h of lab) hosts[h.name] = { address: h.address, states: ['motd'] };
    p = labProject(lab, hosts);
    // the guard's second makes each host's check last long enough to kill a worker in the middle of it
    p.writeState('motd', `resources:\n  - directory: ${root}\n  - file: ${root}/motd\n    content: "{{ inventory_hostname }}\\n"\n  - command: slow-check\n    run: "true"\n    unless: "sleep 1"\n`);
    const c = await keel(['converge', '-i', p.inventory]);
    expect(c.code, c.stdout + c.stderr).toBe(0);
    await Promise.all(lab.map((h) => onHost(h, `echo edited > ${root}/motd`)));
    queue = await openQueue(pg.url.replace('keel@', `keel:${pg.password}@`));
  });

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await queue?.close();
    await pg?.stop();
    if (lab) await Promise.all(lab.map((h) => onHost(h, `rm -rf ${root}`)));
    if (p) rmSync(p.dir, { recursive: true, force: true });
  });

  it('the killed worker\'s jobs are finished by the other; every host once; the history complete', async () => {
    const a = worker('A', LEASE);
    await a.stderrMatches(/taking jobs from/);
    const controller = keelJson(['drift', '-i', p.inventory, '--enqueue', '--queue', pg.url, '--lock-timeout', '30'], { env: pg.env });
    // kill A while it holds a job it has not finished
    let held: { id: number; host: string }[] = [];
    for (let i = 0; i < 1000 && held.length === 0; i++) {
      held = (await queue.pool.query("SELECT id, host FROM queue_jobs WHERE worker = 'A' AND state = 'active'")).rows;
      if (held.length === 0) await new Promise((r) => setTimeout(r, 20));
    }
    expect(held.length).toBeGreaterThan(0);
    a.child.kill('SIGKILL');
    expect((await a.done).signal).toBe('SIGKILL');
    // what A held unfinished when it died (a job of `held` may have been handed back in between)
    held = (await queue.pool.query("SELECT id, host FROM queue_jobs WHERE worker = 'A' AND state = 'active'")).rows;
    expect(held.length).toBeGreaterThan(0);
    const b = worker('B');
    const out = await controller;
    expect(out.code, out.stderr).toBe(2);
    expect(out.report.hosts.map((h: { host: string }) => h.host)).toEqual(lab.map((h) => h.name));
    expect(out.report.hosts.every((h: { status: string }) => h.status === 'drift')).toBe(true);
    expect(out.report.summary).toMatchObject({ hosts: 10, drifted: 10, failed: 0, unreachable: 0 });

    const jobs = (await queue.pool.query('SELECT host, state, attempts, worker, result IS NOT NULL AS has FROM queue_jobs ORDER BY seq')).rows;
    expect(jobs).toHaveLength(10);
    expect(jobs.every((j) => j.state === 'done' && j.has)).toBe(true);
    // every job A held when it died was taken again, by B, at the second attempt
    for (const h of held) expect(jobs.find((j) => j.host === h.host)).toMatchObject({ attempts: 2, worker: 'B' });
    expect(jobs.filter((j) => j.attempts === 1).every((j) => ['A', 'B'].includes(j.worker))).toBe(true);
    const run = (await queue.pool.query('SELECT history_run FROM queue_runs')).rows;
    expect(run).toHaveLength(1);
    const history = (await queue.pool.query('SELECT host FROM run_hosts WHERE run_id = $1 ORDER BY host', [run[0].history_run])).rows.map((r) => r.host);
    expect(history).toEqual(lab.map((h) => h.name).sort());
    expect((await queue.pool.query('SELECT count(*)::int AS n FROM runs')).rows[0].n).toBe(1);
    expect((await queue.pool.query('SELECT count(*)::int AS n FROM episodes WHERE resolved_at IS NULL')).rows[0].n).toBe(10);

    // converge over two workers fixes it; a direct plan agrees
    const c = worker('C');
    await Promise.all([b.stderrMatches(/taking jobs from/), c.stderrMatches(/taking jobs from/)]);
    const fixed = await keelJson(['converge', '-i', p.inventory, '--enqueue', '--queue', pg.url], { env: pg.env });
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.report.summary).toMatchObject({ hosts: 10, changed: 10, failed: 0 });
    for (const h of lab) expect(await onHost(h, `cat ${root}/motd`)).toBe(`${h.name}\n`);
    const plan = await keel(['plan', '-i', p.inventory]);
    expect(plan.code, plan.stdout).toBe(0);
    const again = await keel(['drift', '-i', p.inventory, '--enqueue', '--queue', pg.url], { env: pg.env });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const resolved = (await queue.pool.query("SELECT count(*)::int AS n FROM episodes WHERE resolution = 'fixed'")).rows[0].n;
    expect(resolved).toBe(10);
    for (const w of [b, c]) {
      w.child.kill('SIGTERM');
      expect((await w.done).code).toBe(0);
    }
  });
});
