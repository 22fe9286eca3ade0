/**
 * The queue's guarantees, on Debian's PostgreSQL (started here): two workers claiming at once never
 * take one job twice; a lease that runs out gives the job to another worker, the first result is
 * taken and the second refused; the last jobs completed at once finish the run exactly once, with
 * the report in host order and one history run; a run left complete but unfinished is found and
 * finished; a history that refuses the record still finishes the run, with the error; a converge
 * job waits for the hosts it runs after.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostReport } from '../engine/host-report.js';
import type { HostReport } from '../report/types.js';
import { startPostgres, type TestPostgres } from '../../test/helpers/postgres.js';
import { openQueue } from './open-queue.js';
import type { Queue } from './queue.js';
import type { QueueRequest } from './types.js';

const drift: QueueRequest = { command: 'drift', inventory: '/srv/inventory.yaml', tags: [], vars: [], lockTimeout: 0 };
const meta = () => ({ inventory: drift.inventory, tags: [], exitCode: 2, sensitiveTypes: new Set<string>() });
const hosts = (n: number) => Array.from({ length: n }, (_, i) => ({ host: `web${i + 1}`, after: [], digest: 'd' }));
const drifted = (host: string): HostReport => ({ ...hostReport(host, 'plan', Date.now(), []), status: 'drift' });

describe('the PostgreSQL job queue', () => {
  let pg: TestPostgres;
  let q: Queue;
  let other: Queue;

  beforeAll(async () => {
    pg = await startPostgres();
    process.env.PGPASSWORD = pg.password;
    q = await openQueue(pg.url, { max: 12 });
    other = await openQueue(pg.url, { max: 12 });
  });
  afterAll(async () => {
    await q?.close();
    await other?.close();
    await pg?.stop();
  });

  it('gives each job to one worker however many claim at once, in the order enqueued', async () => {
    const run = await q.enqueue(drift, hosts(20));
    const claims = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? q : other).claim(`w${i}`, 3, 60)));
    const ids = claims.flat().filter((j) => j.runId === run);
    expect(ids).toHaveLength(20);
    expect(new Set(ids.map((j) => j.id)).size).toBe(20);
    expect(ids.every((j) => j.attempt === 1)).toBe(true);
    for (const c of claims) expect(c.map((j) => j.seq)).toEqual([...c.map((j) => j.seq)].sort((a, b) => a - b));
    expect(await q.claim('late', 5, 60)).toEqual([]);
    // finish them so the next cases start from an empty queue
    for (const c of claims) for (const j of c) await q.complete(j, drifted(j.host));
    expect((await q.finish(run, meta))?.report.hosts).toHaveLength(20);
    expect((await q.status(run)).finished).toBe(true);
  });

  it('gives a job whose lease ran out to another worker; the first result is taken, the second refused', async () => {
    const run = await q.enqueue(drift, hosts(1));
    const [a] = await q.claim('A', 1, 60);
    expect(await q.claim('B', 1, 60)).toEqual([]);
    expect(await q.heartbeat('A', [a], 60)).toEqual([a.id]);
    // A's lease runs out (its worker gone, or cut off from the database)
    await q.pool.query("UPDATE queue_jobs SET lease_until = now() - interval '1 second' WHERE id = $1", [a.id]);
    const [b] = await q.claim('B', 1, 60);
    expect(b).toMatchObject({ id: a.id, host: 'web1', attempt: 2 });
    expect(await q.heartbeat('A', [a], 60)).toEqual([]);
    expect(await q.heartbeat('B', [b], 60)).toEqual([b.id]);
    expect(await q.complete(a, drifted('web1'))).toEqual({ accepted: true });
    expect(await q.complete(b, hostReport('web1', 'failed', Date.now(), [], 'host locked'))).toEqual({ accepted: false });
    const done = await q.finish(run, meta);
    expect(done?.report.hosts.map((h) => `${h.host} ${h.status}`)).toEqual(['web1 drift']);
    expect(done?.recorded?.runId).toBeGreaterThan(0);
    expect((await q.status(run)).historyRun).toBe(done?.recorded?.runId);
    expect(await q.finish(run, meta)).toBeUndefined();
  });

  it('finishes a run exactly once when its last jobs complete at once: report in host order, one history run', async () => {
    const before = (await q.pool.query('SELECT count(*)::int AS n FROM runs')).rows[0].n;
    const run = await q.enqueue(drift, hosts(6));
    const jobs = await q.claim('A', 6, 60);
    // completed in reverse order, all at once, over two pools (two workers), each then trying to finish
    const out = await Promise.all(
      [...jobs].reverse().map(async (j, i) => {
        const pool = i % 2 ? q : other;
        expect((await pool.complete(j, drifted(j.host))).accepted).toBe(true);
        return pool.finish(run, meta);
      }),
    );
    const finished = out.filter((o) => o !== undefined);
    expect(finished).toHaveLength(1);
    const report = finished[0]!.report;
    expect(report.hosts.map((h) => h.host)).toEqual(['web1', 'web2', 'web3', 'web4', 'web5', 'web6']);
    expect(report.summary).toMatchObject({ hosts: 6, drifted: 6, failed: 0 });
    expect(report.durationMs).toBeGreaterThanOrEqual(0);
    expect(finished[0]!.exitCode).toBe(2);
    expect((await q.pool.query('SELECT count(*)::int AS n FROM runs')).rows[0].n).toBe(before + 1);
    const status = await q.status(run);
    expect(status).toMatchObject({ finished: true, done: 6, hosts: 6, exitCode: 2 });
    expect(status.report).toEqual(report);
  });

  it('finds a run left complete but unfinished (its last worker died in between) and finishes it', async () => {
    const run = await q.enqueue(drift, hosts(2));
    for (const j of await q.claim('A', 2, 60)) await q.complete(j, drifted(j.host));
    expect(await q.unfinished()).toContain(run);
    expect(await q.request(run)).toEqual(drift);
    expect((await other.finish(run, meta))?.runId).toBe(run);
    expect(await q.unfinished()).not.toContain(run);
  });

  it('finishes a run whose record the history refuses, with the report and the error', async () => {
    const run = await q.enqueue(drift, hosts(1));
    const [j] = await q.claim('A', 1, 60);
    await q.complete(j, drifted(j.host));
    // a run row the history cannot take: a NUL in text, which PostgreSQL refuses
    const done = await q.finish(run, () => ({ ...meta(), inventory: 'bad\u0000inventory' }));
    expect(done?.error).toMatch(/^not recorded in the history: /);
    expect(done?.exitCode).toBe(1);
    const status = await q.status(run);
    expect(status).toMatchObject({ finished: true, exitCode: 1, error: done?.error });
    expect(status.report?.hosts.map((h) => h.host)).toEqual(['web1']);
  });

  it('gives a converge job only once the hosts it runs after are done, with their results', async () => {
    const converge: QueueRequest = { ...drift, command: 'converge' };
    await q.enqueue(converge, [
      { host: 'web1', after: ['db1'], digest: 'd' },
      { host: 'db1', after: [], digest: 'd' },
    ]);
    const first = await q.claim('A', 5, 60);
    expect(first.map((j) => j.host)).toEqual(['db1']);
    expect(await q.claim('B', 5, 60)).toEqual([]);
    const failed = hostReport('db1', 'failed', Date.now(), [], 'boom');
    await q.complete(first[0], failed);
    expect(await q.finish(first[0].runId, meta)).toBeUndefined();
    const [web] = await q.claim('B', 5, 60);
    expect(web.host).toBe('web1');
    expect((await q.afterResults(web)).map((r) => [r.host, r.status])).toEqual([['db1', 'failed']]);
    await q.complete(web, hostReport('web1', 'failed', Date.now(), [], 'not converged'));
    const done = await q.finish(web.runId, meta);
    expect(done?.report.command).toBe('converge');
    expect(done?.recorded).toBeUndefined();
    expect(done?.exitCode).toBe(1);
  });
});
