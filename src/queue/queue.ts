/**
 * The queue of enqueued runs, in the history's PostgreSQL database (tables of migration 2,
 * src/drift/pg-schema.ts): a run and one job per host. Workers claim jobs with `FOR UPDATE SKIP
 * LOCKED` (two workers never take the same job), hold them by a lease they renew while the host
 * runs, and complete them only while they still hold that attempt: a worker that was killed loses
 * its lease, another takes the job, and the dead one's late answer (if any) is refused. The job
 * that completes a run finishes it in the same transaction, under the run row's lock: the report
 * assembled in host order, a drift run recorded in the history: once, whoever finishes.
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
}

export interface RunStatus {
  finished: boolean;
  done: number;
  hosts: number;
  report?: RunReport;
  exitCode?: number;
  historyRun?: number;
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

  /** Extend the leases of a worker's jobs; returns the ids it still holds. */
  async heartbeat(worker: string, jobs: ClaimedJob[], leaseSeconds: number): Promise<number[]> {
    if (jobs.length === 0) return [];
    const rows = (
      await this.pool.query(
        `UPDATE queue_jobs SET lease_until = now() + make_interval(secs => $3)
         WHERE state = 'active' AND worker = $1 AND (id, attempts) IN (SELECT * FROM unnest($2::int[], $4::int[]))
         RETURNING id`,
        [worker, jobs.map((j) => j.id), leaseSeconds, jobs.map((j) => j.attempt)],
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
   * A job's result, taken only from the worker that holds this attempt (else `accepted: false`:
   * its lease ran out and another worker has the job). Completing a run's last job finishes the
   * run in the same transaction; `meta` makes the finished drift run's history record.
   */
  async complete(job: ClaimedJob, worker: string, result: HostReport, meta: (report: RunReport) => RunMeta): Promise<{ accepted: boolean; finished?: FinishedRun }> {
    return this.history.transaction(async (c) => {
      const done = await c.query(
        "UPDATE queue_jobs SET state = 'done', result = $4, finished_at = now(), lease_until = NULL WHERE id = $1 AND worker = $2 AND attempts = $3 AND state = 'active'",
        [job.id, worker, job.attempt, JSON.stringify(result)],
      );
      if (done.rowCount !== 1) return { accepted: false };
      // the run row's lock: of two workers completing a run's last two jobs at once, the second sees the first's done
      const run = (await c.query('SELECT command, request, created_at, finished_at FROM queue_runs WHERE id = $1 FOR UPDATE', [job.runId])).rows[0];
      const open = Number((await c.query("SELECT count(*) AS n FROM queue_jobs WHERE run_id = $1 AND state <> 'done'", [job.runId])).rows[0].n);
      if (open > 0 || run.finished_at) return { accepted: true };
      return { accepted: true, finished: await finishRun(c, job.runId, run.command, run.created_at, meta) };
    });
  }

  async status(runId: number): Promise<RunStatus> {
    const run = (await this.pool.query('SELECT hosts, finished_at, report, exit_code, history_run FROM queue_runs WHERE id = $1', [runId])).rows[0];
    const done = Number((await this.pool.query("SELECT count(*) AS n FROM queue_jobs WHERE run_id = $1 AND state = 'done'", [runId])).rows[0].n);
    return { finished: !!run.finished_at, done, hosts: run.hosts, report: run.report ?? undefined, exitCode: run.exit_code ?? undefined, historyRun: run.history_run ?? undefined };
  }

  /** A connection of its own that LISTENs on `channel`; `onNotify` gets each payload. */
  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    const c = await this.pool.connect();
    c.on('notification', (n) => n.channel === channel && onNotify(n.payload ?? ''));
    await c.query(`LISTEN ${channel}`);
    return async () => {
      await c.query(`UNLISTEN ${channel}`).catch(() => undefined);
      c.release();
    };
  }

  close(): Promise<void> {
    return this.history.close();
  }
}

/** The run's report from its jobs' results in host order, recorded (drift) and stored with the run. */
async function finishRun(c: pg.PoolClient, runId: number, command: RunReport['command'], createdAt: Date, meta: (report: RunReport) => RunMeta): Promise<FinishedRun> {
  const rows = (await c.query('SELECT result FROM queue_jobs WHERE run_id = $1 ORDER BY seq', [runId])).rows;
  const report = runReport(command, createdAt.getTime(), Date.now(), rows.map((r) => r.result as HostReport));
  const code = exitCode(report);
  const recorded = command === 'drift' ? await recordRunIn(c, report, meta(report)) : undefined;
  await c.query('UPDATE queue_runs SET finished_at = now(), report = $2, exit_code = $3, history_run = $4 WHERE id = $1', [runId, JSON.stringify(report), code, recorded?.runId ?? null]);
  await c.query('SELECT pg_notify($1, $2)', [DONE_CHANNEL, String(runId)]);
  return { runId, report, exitCode: code, recorded };
}
