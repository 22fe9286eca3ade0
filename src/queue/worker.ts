/**
 * keel worker's loop: claim jobs (at most `concurrency` at a time), run each host with the same
 * engine as a direct run (runJobs, the host's lock held), renew the leases while hosts run, hand
 * each result back, and finish a run whose last job this worker completed, or that a dead worker
 * left unfinished (history, metrics, alerts for drift). A job is refused, as a failed host, when
 * the host is not in this worker's inventory, its states do not compile here, or they compile to
 * other declarations than the controller's (another checkout). Woken by NOTIFY; polls too (an
 * expired lease notifies nobody).
 */
import type { Logger } from 'pino';
import type { DriftSettings, Inventory } from '../config/types.js';
import { compileJobs, type HostJob } from '../engine/compile.js';
import { hostReport } from '../engine/host-report.js';
import { runJobs } from '../engine/run.js';
import { exitCode } from '../engine/exit-code.js';
import { isKeelError } from '../errors.js';
import type { ModuleSet } from '../module-set.js';
import type { HostReport, RunReport } from '../report/types.js';
import type { Transport } from '../transport/types.js';
import type { RunMeta } from '../drift/history.js';
import { recordDrift, sensitiveKinds } from '../drift/run-drift.js';
import { jobDigest } from './digest.js';
import { JOBS_CHANNEL, type FinishedRun, type Queue } from './queue.js';
import type { ClaimedJob, QueueRequest } from './types.js';

/** A job taken this many times (each worker lost while running it) is failed rather than tried again. */
export const MAX_ATTEMPTS = 3;

type Loaded = { inv: Inventory; modules: ModuleSet };

export interface WorkerOptions {
  queue: Queue;
  /** Worker name, stored with each job it holds. */
  name: string;
  concurrency: number;
  leaseSeconds: number;
  /** Seconds between looks at the queue when no notification came. */
  pollSeconds: number;
  log: Logger;
  /** The worker's own inventory (its path, for messages), loaded with a run's --var values. */
  inventory: string;
  load(vars: string[]): Promise<Loaded>;
  /** The modules (which of them have sensitive fields decides what the history may store). */
  modules: ModuleSet;
  /** The inventory's `drift:` settings, for a run this worker finishes (prune, metrics, alerts). */
  settings(): DriftSettings | undefined;
  connect(job: HostJob): Promise<Transport>;
  /** True once the worker is asked to stop: it takes no new job and finishes the ones it holds. */
  stopping(): boolean;
  /** Told as each job ends (the CLI prints a line). */
  onJob?(job: ClaimedJob, report: HostReport, accepted: boolean): void;
  onFinished?(run: FinishedRun): void;
  warn(message: string): void;
}

export async function runWorker(opts: WorkerOptions): Promise<void> {
  const active = new Map<number, { job: ClaimedJob; done: Promise<void> }>();
  /** Jobs whose result is being handed back: no longer renewed. */
  const completing = new Set<number>();
  const loads = new Loads(opts.load);
  let wake: () => void = () => undefined;
  const unlisten = await opts.queue.listen(JOBS_CHANNEL, () => wake());
  const beat = heartbeat(opts, () => [...active.values()].map((a) => a.job).filter((j) => !completing.has(j.id)));
  try {
    while (!opts.stopping()) {
      const free = opts.concurrency - active.size;
      const jobs = free > 0 ? await opts.queue.claim(opts.name, free, opts.leaseSeconds).catch((e) => (opts.warn(`cannot take jobs: ${(e as Error).message}`), [])) : [];
      for (const job of jobs) {
        const done = handle(job, opts, loads, completing).finally(() => {
          active.delete(job.id);
          completing.delete(job.id);
          wake();
        });
        active.set(job.id, { job, done });
      }
      if (jobs.length > 0 && active.size < opts.concurrency) continue;
      if (jobs.length === 0) await sweep(opts);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, opts.pollSeconds * 1000);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    await Promise.all([...active.values()].map((a) => a.done));
  } finally {
    beat.stop();
    await unlisten();
  }
}

/** Renew the leases every third of the lease, one renewal at a time. */
function heartbeat(opts: WorkerOptions, held: () => ClaimedJob[]): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = async () => {
    const jobs = held();
    try {
      const kept = await opts.queue.heartbeat(opts.name, jobs, opts.leaseSeconds);
      for (const j of jobs) if (!kept.includes(j.id) && held().some((h) => h.id === j.id)) opts.log.warn({ job: j.id, host: j.host }, 'lease not renewed: the job is being completed or another worker took it over');
    } catch (e) {
      opts.log.warn({ err: e }, 'leases not renewed');
    }
    if (!stopped) timer = setTimeout(tick, Math.max(250, (opts.leaseSeconds * 1000) / 3));
  };
  timer = setTimeout(tick, Math.max(250, (opts.leaseSeconds * 1000) / 3));
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** A run's inventory, loaded once per run while this worker holds jobs of it. */
class Loads {
  private readonly runs = new Map<number, { loaded: Promise<Loaded>; holders: number }>();
  constructor(private readonly load: (vars: string[]) => Promise<Loaded>) {}

  async take(runId: number, request: QueueRequest): Promise<Loaded> {
    let entry = this.runs.get(runId);
    if (!entry) this.runs.set(runId, (entry = { loaded: this.load(request.vars), holders: 0 }));
    entry.holders++;
    return entry.loaded;
  }

  release(runId: number, failed = false): void {
    const entry = this.runs.get(runId);
    if (entry && (--entry.holders <= 0 || failed)) this.runs.delete(runId);
  }
}

/** How a finished run is recorded: the controller's inventory, limit and tags; the run's exit code. */
function runMeta(request: QueueRequest, modules: ModuleSet) {
  return (r: RunReport): RunMeta => ({ inventory: request.inventory, limit: request.limit, tags: request.tags, exitCode: exitCode(r), sensitiveTypes: sensitiveKinds(modules) });
}

async function handle(job: ClaimedJob, opts: WorkerOptions, loads: Loads, completing: Set<number>): Promise<void> {
  const log = opts.log.child({ run: job.runId, job: job.id, host: job.host, attempt: job.attempt });
  let report: HostReport;
  let failed = false;
  try {
    const loaded = await loads.take(job.runId, job.request);
    report = await runClaimed(job, loaded.inv, loaded.modules, opts, log);
  } catch (e) {
    failed = true;
    report = hostReport(job.host, 'failed', Date.now(), [], `worker ${opts.name}: ${isKeelError(e) ? e.format() : (e as Error).message}`);
  } finally {
    loads.release(job.runId, failed);
  }
  completing.add(job.id);
  let accepted: boolean;
  try {
    accepted = (await opts.queue.complete(job, report)).accepted;
  } catch (e) {
    // the lease runs out and another worker takes the job: nothing is lost
    opts.warn(`job ${job.id} (${job.host}): result not stored: ${(e as Error).message}`);
    return;
  }
  opts.onJob?.(job, report, accepted);
  if (!accepted) log.warn('result refused: another worker handed back this host first');
  else await finishRun(job.runId, job.request, opts, log);
}

/** Finish a run if it is complete and nobody has: record (drift), then prune, metrics, alerts as a direct run. */
async function finishRun(runId: number, request: QueueRequest, opts: WorkerOptions, log: Logger): Promise<void> {
  const meta = runMeta(request, opts.modules);
  let finished: FinishedRun | undefined;
  try {
    finished = await opts.queue.finish(runId, meta);
  } catch (e) {
    // another worker's sweep finishes it
    opts.warn(`run ${runId}: not finished: ${(e as Error).message}`);
    return;
  }
  if (!finished) return;
  if (finished.error) opts.warn(`run ${runId}: ${finished.error}`);
  if (finished.recorded) {
    const settings = opts.settings();
    if (!settings) opts.warn(`run ${runId}: this worker's inventory did not load: its drift settings (retention, metrics, alerts) are not applied to this run`);
    await recordDrift(opts.queue.history, finished.report, meta(finished.report), settings ?? {}, { inventory: request.inventory, limit: request.limit, log, warn: opts.warn }, finished.recorded).catch((e) =>
      opts.warn(`run ${runId}: after recording: ${(e as Error).message}`),
    );
  }
  opts.onFinished?.(finished);
}

/** Finish the runs a dead worker left complete but unfinished. */
async function sweep(opts: WorkerOptions): Promise<void> {
  const runs = await opts.queue.unfinished().catch(() => [] as number[]);
  for (const runId of runs) {
    const request = await opts.queue.request(runId).catch(() => undefined);
    if (request) await finishRun(runId, request, opts, opts.log.child({ run: runId }));
  }
}

/** Run one claimed host, or say why not (as its failed report). */
async function runClaimed(job: ClaimedJob, inv: Inventory, modules: ModuleSet, opts: WorkerOptions, log: Logger): Promise<HostReport> {
  const now = Date.now();
  if (job.attempt > MAX_ATTEMPTS) return hostReport(job.host, 'failed', now, [], `given up: ${MAX_ATTEMPTS} workers were lost while running this host (see their logs)`);
  const blocker = (await opts.queue.afterResults(job)).find((r) => r.status === 'failed' || r.status === 'unreachable');
  if (blocker) return hostReport(job.host, 'failed', now, [], `not converged: it runs after ${blocker.host}, which ${blocker.status === 'failed' ? 'failed' : 'was unreachable'}`);
  if (!inv.hosts.has(job.host)) return hostReport(job.host, 'failed', now, [], `worker ${opts.name}: no host ${job.host} in ${opts.inventory}: the worker's inventory is not the controller's`);
  const [compiled] = compileJobs(inv, [job.host], modules, job.request.tags);
  const digest = jobDigest(compiled);
  if (digest !== job.digest) {
    return hostReport(job.host, 'failed', now, [], `worker ${opts.name}: the states compile to other declarations here than on the controller (digest ${digest.slice(0, 12)}, controller ${job.digest.slice(0, 12)}): bring the worker's checkout of ${opts.inventory} to the controller's`);
  }
  log.info('running');
  const command = job.request.command;
  // a job taken over from a worker that lost its lease may find that worker still on the host: wait for it
  const timeoutSeconds = job.attempt > 1 ? Math.max(job.request.lockTimeout, 2 * opts.leaseSeconds) : job.request.lockTimeout;
  const lock = { timeoutSeconds, command: `keel worker ${opts.name}: ${command} run ${job.runId}`, onWait: (h: string, holder: string) => opts.warn(`${h}: waiting for the host lock held by ${holder}`) };
  const run = await runJobs([compiled], { command, forks: 1, log, connect: opts.connect, lock, interrupted: () => false });
  return run.hosts[0];
}
