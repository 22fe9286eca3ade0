/**
 * The queue of enqueued runs, in the history's PostgreSQL database (tables of migration 2,
 * src/drift/pg-schema.ts): a run and one job per host. Workers claim jobs with `FOR UPDATE SKIP
 * LOCKED` (two workers never take the same job), hold them by a lease they renew while the host
 * runs, and complete them only while they still hold that attempt: a worker that was killed loses
 * its lease, another takes the job; the first result to come is taken, a later one refused. The
 * worker that completes a run's last job then finishes it under the run row's lock: the report
 * assembled in host order, a drift run recorded in the history: once, whoever finishes (and any
 * worker finishes a run whose last worker died before it could).
 */
import { hostname } from 'node:os';
import type pg from 'pg';
import { runReport } from '../engine/run.js';
import { exitCode } from '../engine/exit-code.js';
import type { HostReport, RunReport } from '../report/types.js';
import type { PgHistory } from '../drift/pg-history.js';
import { recordRunIn } from '../drift/pg-history.js';
import type { RunMeta } from '../drift/history.js';
import type { Transitions } from '../drift/transitions.js';
import type { ClaimedJob, QueueRequest } from './types.js';

/** NOTIFY channels: a run was enqueued (workers wake), a run finished (its controller wakes). */
export const JOBS_CHANNEL = 'keel_jobs';
export const DONE_CHANNEL = 'keel_run_done';

export interface EnqueuedHost {
  host: string;
  after: string[];
  digest: string;
}

export interface FinishedRun {
  runId: number;
  report: RunReport;
  exitCode: number;
  /** A drift run: its id in the history and what it changed there. */
  recorded?: { runId: number; transitions: Transitions };
  /** Why a drift run is not in the history (its report is kept all the same). */
  error?: string;
}

export interface RunStatus {
  finished: boolean;
  done: number;
  /** Jobs a worker has taken (running or done). */
  taken: number;
  hosts: number;
  report?: RunReport;
  exitCode?: number;
  historyRun?: number;
  error?: string;
}

export class Queue {
  constructor(readonly history: PgHistory) {}

  get pool(): pg.Pool {
    return this.history.pool;
  }

  get location(): string {
    return this.history.location;
  }

  /** One run and its jobs, in one transaction; the workers are woken. */
  async enqueue(request: QueueRequest, hosts: EnqueuedHost[]): Promise<number> {
    return this.history.transaction(async (c) => {
      const runId = (await c.query('INSERT INTO queue_runs (command, request, hosts, controller) VALUES ($1, $2, $3, $4) RETURNING id', [request.command, JSON.stringify(request), hosts.length, hostname()])).rows[0].id as number;
      for (const [seq, h] of hosts.entries()) {
        await c.query('INSERT INTO queue_jobs (run_id, seq, host, after, digest) VALUES ($1, $2, $3, $4, $5)', [runId, seq, h.host, h.after, h.digest]);
      }
      await c.query('SELECT pg_notify($1, $2)', [JOBS_CHANNEL, String(runId)]);
      return runId;
    });
  }

  /**
   * Take up to `n` jobs: queued ones, or active ones whose lease ran out (their worker is gone), in
   * the order they were enqueued; a converge job only once the hosts it runs after are done.
   */
  async claim(worker: string, n: number, leaseSeconds: number): Promise<ClaimedJob[]> {
    const rows = (
      await this.pool.query(
        `UPDATE queue_jobs j SET state = 'active', attempts = j.attempts + 1, worker = $1,
                lease_until = now() + make_interval(secs => $3), started_at = now()
         WHERE j.id IN (
           SELECT q.id FROM queue_jobs q
           WHERE (q.state = 'queued' OR (q.state = 'active' AND q.lease_until < now()))
             AND NOT EXISTS (SELECT 1 FROM queue_jobs b WHERE b.run_id = q.run_id AND b.host = ANY(q.after) AND b.state <> 'done')
           ORDER BY q.id
           LIMIT $2
           FOR UPDATE SKIP LOCKED)
         RETURNING j.id, j.run_id, j.seq, j.host, j.after, j.digest, j.attempts, (SELECT r.request FROM queue_runs r WHERE r.id = j.run_id) AS request`,
        [worker, n, leaseSeconds],
      )
    ).rows;
    return rows
      .map((r) => ({ id: r.id, runId: r.run_id, seq: r.seq, host: r.host, after: r.after, digest: r.digest, attempt: r.attempts, request: r.request as QueueRequest }))
      .sort((a, b) => a.id - b.id);
  }

  /** Extend the leases of a worker's jobs; returns the ids it still holds (a job being completed is skipped, not waited for). */
  async heartbeat(worker: string, jobs: ClaimedJob[], leaseSeconds: number): Promise<number[]> {
    if (jobs.length === 0) return [];
    const rows = (
      await this.pool.query(
        `UPDATE queue_jobs SET lease_until = now() + make_interval(secs => $3)
         WHERE id IN (SELECT id FROM queue_jobs WHERE state = 'active' AND worker = $1 AND id = ANY($2::int[]) FOR NO KEY UPDATE SKIP LOCKED)
         RETURNING id`,
        [worker, jobs.map((j) => j.id), leaseSeconds],
      )
    ).rows;
    return rows.map((r) => r.id as number);
  }

  /** The results of the hosts a job runs after (status and error), to refuse it when one failed. */
  async afterResults(job: ClaimedJob): Promise<HostReport[]> {
    if (job.after.length === 0) return [];
    const rows = (await this.pool.query("SELECT result FROM queue_jobs WHERE run_id = $1 AND host = ANY($2) AND state = 'done' ORDER BY seq", [job.runId, job.after])).rows;
    return rows.map((r) => r.result as HostReport);
  }

  /**
   * A job's result: the first to come while the job is not done, from whichever attempt (a worker
   * that lost its lease but ran the host is as good as the one that took it over, which waits
   * for the host's lock meanwhile); a later one is refused (`accepted: false`).
   */
  async complete(job: ClaimedJob, result: HostReport): Promise<{ accepted: boolean }> {
    const done = await this.pool.query(
      "UPDATE queue_jobs SET state = 'done', result = $2, finished_at = now(), lease_until = NULL WHERE id = $1 AND state = 'active'",
      [job.id, JSON.stringify(result)],
    );
    return { accepted: done.rowCount === 1 };
  }

  /**
   * Finish the run when all its jobs are done and nobody has yet: under the run row's lock (of two
   * workers completing a run's last two jobs at once, the second sees the first's done), the
   * report from the results in host order, a drift run recorded in the history, all in one
   * transaction. A history that refuses the record does not keep the run open: the report is
   * stored with the error, and the controller shows both.
   */
  async finish(runId: number, meta: (report: RunReport) => RunMeta): Promise<FinishedRun | undefined> {
    return this.history.transaction(async (c) => {
      const run = (await c.query('SELECT command, created_at, finished_at FROM queue_runs WHERE id = $1 FOR UPDATE', [runId])).rows[0];
      if (!run || run.finished_at) return undefined;
      const open = Number((await c.query("SELECT count(*) AS n FROM queue_jobs WHERE run_id = $1 AND state <> 'done'", [runId])).rows[0].n);
      if (open > 0) return undefined;
      return finishRun(c, runId, run.command, meta);
    });
  }

  async request(runId: number): Promise<QueueRequest | undefined> {
    return (await this.pool.query('SELECT request FROM queue_runs WHERE id = $1', [runId])).rows[0]?.request;
  }

  /** Runs whose jobs are all done but that nobody finished (their last worker died in between). */
  async unfinished(): Promise<number[]> {
    const rows = (
      await this.pool.query(
        `SELECT r.id FROM queue_runs r WHERE r.finished_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM queue_jobs j WHERE j.run_id = r.id AND j.state <> 'done') ORDER BY r.id LIMIT 10`,
      )
    ).rows;
    return rows.map((r) => r.id as number);
  }

  async status(runId: number): Promise<RunStatus> {
    const run = (await this.pool.query('SELECT hosts, finished_at, report, exit_code, history_run, error FROM queue_runs WHERE id = $1', [runId])).rows[0];
    const jobs = (await this.pool.query("SELECT count(*) FILTER (WHERE state = 'done') AS done, count(*) FILTER (WHERE state <> 'queued') AS taken FROM queue_jobs WHERE run_id = $1", [runId])).rows[0];
    return { finished: !!run.finished_at, done: Number(jobs.done), taken: Number(jobs.taken), hosts: run.hosts, report: run.report ?? undefined, exitCode: run.exit_code ?? undefined, historyRun: run.history_run ?? undefined, error: run.error ?? undefined };
  }

  /**
   * LISTEN on `channel` on a connection of its own; `onNotify` gets each payload. A lost
   * connection is replaced (polling covers the gap); the returned function stops listening.
   */
  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    let closed = false;
    let current: pg.PoolClient | undefined;
    const connect = async (): Promise<void> => {
      const c = await this.pool.connect();
      c.on('notification', (n) => n.channel === channel && onNotify(n.payload ?? ''));
      c.on('error', (e) => {
        if (current === c) current = undefined;
        c.release(e);
        if (!closed) setTimeout(() => void retry(), 1000).unref();
      });
      await c.query(`LISTEN ${channel}`);
      current = c;
    };
    const retry = async (): Promise<void> => {
      if (closed) return;
      await connect().catch(() => setTimeout(() => void retry(), 2000).unref());
    };
    await connect();
    return async () => {
      closed = true;
      const c = current;
      current = undefined;
      if (!c) return;
      await c.query(`UNLISTEN ${channel}`).catch(() => undefined);
      c.release();
    };
  }

  close(): Promise<void> {
    return this.history.close();
  }
}

/** The run's report from its jobs' results in host order (times by the database's clock), recorded (drift) and stored with the run. */
async function finishRun(c: pg.PoolClient, runId: number, command: RunReport['command'], meta: (report: RunReport) => RunMeta): Promise<FinishedRun> {
  const rows = (await c.query('SELECT result FROM queue_jobs WHERE run_id = $1 ORDER BY seq', [runId])).rows;
  const times = (await c.query('SELECT (extract(epoch FROM created_at) * 1000)::float8 AS started, (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS now FROM queue_runs WHERE id = $1', [runId])).rows[0];
  const report = runReport(command, Math.round(times.started), Math.round(times.now), rows.map((r) => r.result as HostReport));
  const code = exitCode(report);
  let recorded: FinishedRun['recorded'];
  let error: string | undefined;
  if (command === 'drift') {
    await c.query('SAVEPOINT record');
    try {
      recorded = await recordRunIn(c, report, meta(report));
      await c.query('RELEASE SAVEPOINT record');
    } catch (e) {
      await c.query('ROLLBACK TO SAVEPOINT record');
      error = `not recorded in the history: ${(e as Error).message}`;
    }
  }
  await c.query('UPDATE queue_runs SET finished_at = now(), report = $2, exit_code = $3, history_run = $4, error = $5 WHERE id = $1', [runId, JSON.stringify(report), error ? 1 : code, recorded?.runId ?? null, error ?? null]);
  await c.query('SELECT pg_notify($1, $2)', [DONE_CHANNEL, String(runId)]);
  return { runId, report, exitCode: error ? 1 : code, recorded, error };
}
