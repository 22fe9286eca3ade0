/**
 * Run plan or converge over every target host in parallel, at most `forks` at once; with
 * `serial`, in rolling batches, stopping early when a batch fails more than `maxFailPercent`.
 */
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { HostReport, RunReport } from '../report/types.js';
import { hostReport } from './host-report.js';
import { countedHosts, sumCounts } from '../report/counts.js';
import type { Transport } from '../transport/types.js';
import type { HostJob } from './compile.js';
import { runHost, type PlanPin, type ProgressEvent } from './run-host.js';
import { acquireRemoteLock, type LockSettings } from './remote-lock.js';
import { rolloutReport, serialBatches, stopReason, type Serial } from './rollout.js';

export interface RunOptions {
  command: RunReport['command'];
  forks: number;
  log: Logger;
  connect(job: HostJob): Promise<Transport>;
  interrupted?: () => boolean;
  /** Hold each host's run lock for the whole run (converge and drift; plan does not lock). */
  lock?: LockSettings;
  /** Rolling batches: each batch finishes before the next starts. */
  serial?: Serial;
  /** Stop before the next batch when more than this percentage of a batch failed. */
  maxFailPercent?: number;
  /** A saved plan to record (plan) or to hold converge to (src/plan-file). */
  pin?: PlanPin;
  /** Told each phase a host enters (progress output). */
  progress?(event: ProgressEvent): void;
  /** Called as each host finishes (progress output). */
  onHost?(report: RunReport['hosts'][number]): void;
}

export async function runJobs(jobs: HostJob[], opts: RunOptions): Promise<RunReport> {
  const started = Date.now();
  const limit = pLimit(Math.max(1, opts.forks));
  const mode = opts.command === 'converge' ? 'converge' : 'plan';
  const running = new Map<string, Promise<HostReport>>();
  const runOne = async (job: HostJob): Promise<HostReport> => {
    // converge honours the groups' `after:` (db before web); plan only reads, so it never waits
    const first = mode === 'converge' ? job.host.after.filter((h) => running.has(h)) : [];
    const before = await Promise.all(first.map((h) => running.get(h)!));
    const blocker = before.find((r) => r.status === 'failed' || r.status === 'unreachable');
    // after Ctrl-C nothing new starts: a host still waiting for a fork is not even connected to
    const notStarted = () => hostReport(job.host.name, 'failed', Date.now(), [], 'interrupted (Ctrl-C) before this host started');
    const report = blocker
      ? hostReport(job.host.name, 'failed', Date.now(), [], `not converged: it runs after ${blocker.host}, which ${blocker.status === 'failed' ? 'failed' : 'was unreachable'}`)
      : await limit(() =>
          opts.interrupted?.() ? notStarted() : runHost(job, { mode, connect: opts.connect, lock: lockFor(job, opts.lock), log: opts.log, interrupted: opts.interrupted, pin: opts.pin, progress: opts.progress }),
        );
    opts.onHost?.(report);
    return report;
  };
  // a host waits for its `after:` hosts, so they must come in the same batch or an earlier one
  const batches = serialBatches(mode === 'converge' ? afterFirst(jobs) : jobs, opts.serial);
  const hosts: HostReport[] = [];
  let stop: { after: number; reason: string } | undefined;
  for (const [i, batch] of batches.entries()) {
    // Register every promise before any starts waiting, so `after` can find hosts declared later.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    for (const job of batch) running.set(job.host.name, gate.then(() => runOne(job)));
    release();
    const done = await Promise.all(batch.map((job) => running.get(job.host.name)!));
    hosts.push(...done);
    const reason = i < batches.length - 1 ? stopReason(done, opts.maxFailPercent) : undefined;
    if (reason) {
      stop = { after: i, reason };
      break;
    }
    if (opts.interrupted?.() && i < batches.length - 1) {
      stop = { after: i, reason: 'interrupted (SIGINT): later batches not started' };
      break;
    }
  }
  const byName = new Map(hosts.map((h) => [h.host, h]));
  const ordered = jobs.map((j) => byName.get(j.host.name)).filter((h): h is HostReport => h !== undefined);
  const report = runReport(opts.command, started, Date.now(), ordered);
  if (opts.serial) report.rollout = rolloutReport(batches.map((b) => b.map((j) => j.host.name)), stop);
  return report;
}

/** A run's report from its hosts' reports, in the jobs' order (a direct run and an enqueued one build it alike). */
export function runReport(command: RunReport['command'], started: number, finished: number, hosts: HostReport[]): RunReport {
  return {
    command,
    startedAt: new Date(started).toISOString(),
    durationMs: finished - started,
    hosts,
    summary: {
      hosts: hosts.length,
      drifted: hosts.filter((h) => h.status === 'drift').length,
      changed: hosts.filter((h) => h.status === 'changed').length,
      failed: hosts.filter((h) => h.status === 'failed').length,
      unreachable: hosts.filter((h) => h.status === 'unreachable').length,
      counts: sumCounts(countedHosts(hosts, command).flatMap((h) => (h.counts ? [h.counts] : []))),
    },
  };
}

function lockFor(job: HostJob, settings: LockSettings | undefined) {
  return settings && ((t: Transport) => acquireRemoteLock(t, job.host.connection.become, settings));
}

/** Jobs in their order, except that each comes after the hosts of its `after:` (no cycles: refused at load). */
function afterFirst(jobs: HostJob[]): HostJob[] {
  const byName = new Map(jobs.map((j) => [j.host.name, j]));
  const out: HostJob[] = [];
  const seen = new Set<string>();
  const visit = (j: HostJob) => {
    if (seen.has(j.host.name)) return;
    seen.add(j.host.name);
    for (const h of j.host.after) if (byName.has(h)) visit(byName.get(h)!);
    out.push(j);
  };
  jobs.forEach(visit);
  return out;
}
