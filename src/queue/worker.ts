/**
 * keel worker's loop: claim jobs (at most `concurrency` at a time), run each host with the same
 * engine as a direct run (runJobs, the host's lock held), renew the leases while hosts run, hand
 * each result back, and finish a run whose last job this worker completed (history, metrics,
 * alerts for drift). A job is refused, as a failed host, when the host is not in this worker's
 * inventory, its states do not compile here, or they compile to other declarations than the
 * controller's (another checkout). Woken by NOTIFY; polls too (an expired lease notifies nobody).
 */
import type { Logger } from 'pino';
import type { DriftSettings, Inventory } from '../config/types.js';
import { compileJobs } from '../engine/compile.js';
import { hostReport } from '../engine/host-report.js';
import { runJobs } from '../engine/run.js';
import { exitCode } from '../engine/exit-code.js';
import { isKeelError } from '../errors.js';
import type { ModuleSet } from '../module-set.js';
import type { HostReport } from '../report/types.js';
import type { Transport } from '../transport/types.js';
import type { HostJob } from '../engine/compile.js';
import { recordDrift, sensitiveKinds } from '../drift/run-drift.js';
import { jobDigest } from './digest.js';
import { JOBS_CHANNEL, type FinishedRun, type Queue } from './queue.js';
import type { ClaimedJob } from './types.js';

/** A job taken this many times (each worker lost while running it) is failed rather than tried again. */
export const MAX_ATTEMPTS = 3;

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
  load(vars: string[]): Promise<{ inv: Inventory; modules: ModuleSet }>;
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
  let wake: () => void = () => undefined;
  const unlisten = await opts.queue.listen(JOBS_CHANNEL, () => wake());
  const beat = setInterval(() => {
    const held = [...active.values()].map((a) => a.job);
    opts.queue.heartbeat(opts.name, held, opts.leaseSeconds).then(
      (kept) => {
        for (const j of held) if (!kept.includes(j.id) && active.has(j.id)) opts.log.warn({ job: j.id, host: j.host }, 'lease lost: another worker may run this host; its result will be refused here');
      },
      (e) => opts.log.warn({ err: e }, 'lease not renewed'),
    );
  }, Math.max(250, (opts.leaseSeconds * 1000) / 3));
  const loads = new Map<number, Promise<{ inv: Inventory; modules: ModuleSet }>>();
  try {
    while (!opts.stopping()) {
      const free = opts.concurrency - active.size;
      const jobs = free > 0 ? await opts.queue.claim(opts.name, free, opts.leaseSeconds).catch((e) => (opts.warn(`cannot take jobs: ${(e as Error).message}`), [])) : [];
      for (const job of jobs) {
        const done = handle(job, opts, loads).finally(() => {
          active.delete(job.id);
          wake();
        });
        active.set(job.id, { job, done });
      }
      if (jobs.length > 0 && active.size < opts.concurrency) continue;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, opts.pollSeconds * 1000);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      // a run's inventory is kept while its jobs may still come; forget finished ones
      if (active.size === 0) loads.clear();
    }
    await Promise.all([...active.values()].map((a) => a.done));
  } finally {
    clearInterval(beat);
    await unlisten();
  }
}

async function handle(job: ClaimedJob, opts: WorkerOptions, loads: Map<number, Promise<{ inv: Inventory; modules: ModuleSet }>>): Promise<void> {
  const log = opts.log.child({ run: job.runId, job: job.id, host: job.host, attempt: job.attempt });
  let report: HostReport;
  let settings: DriftSettings = {};
  let modules: ModuleSet | undefined;
  try {
    if (!loads.has(job.runId)) loads.set(job.runId, opts.load(job.request.vars));
    const loaded = await loads.get(job.runId)!;
    settings = loaded.inv.drift ?? {};
    modules = loaded.modules;
    report = await runClaimed(job, loaded.inv, loaded.modules, opts, log);
  } catch (e) {
    loads.delete(job.runId);
    report = hostReport(job.host, 'failed', Date.now(), [], `worker ${opts.name}: ${isKeelError(e) ? e.format() : (e as Error).message}`);
  }
  let out: Awaited<ReturnType<Queue['complete']>>;
  try {
    const types = modules ? sensitiveKinds(modules) : new Set<string>();
    out = await opts.queue.complete(job, opts.name, report, (r) => ({
      inventory: job.request.inventory,
      limit: job.request.limit,
      tags: job.request.tags,
      exitCode: exitCode(r),
      sensitiveTypes: types,
    }));
  } catch (e) {
    // the lease runs out and another worker takes the job: nothing is lost
    opts.warn(`job ${job.id} (${job.host}): result not stored: ${(e as Error).message}`);
    return;
  }
  opts.onJob?.(job, report, out.accepted);
  if (!out.accepted) log.warn('result refused: the lease ran out and another worker took this job');
  const finished = out.finished;
  if (!finished) return;
  if (finished.recorded) {
    const meta = { inventory: job.request.inventory, limit: job.request.limit, tags: job.request.tags, exitCode: finished.exitCode, sensitiveTypes: new Set<string>() };
    // the run is recorded (in complete's transaction); prune, metrics and alerts as a direct run does them
    await recordDrift(opts.queue.history, finished.report, meta, settings, { inventory: job.request.inventory, limit: job.request.limit, log, warn: opts.warn }, finished.recorded).catch((e) =>
      opts.warn(`run ${job.runId}: after recording: ${(e as Error).message}`),
    );
  }
  opts.onFinished?.(finished);
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
  const lock = { timeoutSeconds: job.request.lockTimeout, command: `keel worker ${opts.name}: ${command} run ${job.runId}`, onWait: (h: string, holder: string) => opts.warn(`${h}: waiting for the host lock held by ${holder}`) };
  const run = await runJobs([compiled], { command, forks: 1, log, connect: opts.connect, lock, interrupted: () => false });
  return run.hosts[0];
}
