/** Run plan or converge over every target host in parallel, at most `forks` at once. */
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { HostReport, RunReport } from '../report/types.js';
import { hostReport } from './host-report.js';
import type { Transport } from '../transport/types.js';
import type { HostJob } from './compile.js';
import { runHost } from './run-host.js';

export interface RunOptions {
  command: RunReport['command'];
  forks: number;
  log: Logger;
  connect(job: HostJob): Promise<Transport>;
  interrupted?: () => boolean;
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
    const report = blocker
      ? hostReport(job.host.name, 'failed', Date.now(), [], `not converged: it runs after ${blocker.host}, which ${blocker.status === 'failed' ? 'failed' : 'was unreachable'}`)
      : await limit(() => runHost(job, { mode, connect: opts.connect, log: opts.log, interrupted: opts.interrupted }));
    opts.onHost?.(report);
    return report;
  };
  // Register every promise before any starts waiting, so `after` can find hosts declared later.
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  for (const job of jobs) running.set(job.host.name, gate.then(() => runOne(job)));
  release();
  const hosts = await Promise.all(jobs.map((job) => running.get(job.host.name)!));
  return {
    command: opts.command,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    hosts,
    summary: {
      hosts: hosts.length,
      drifted: hosts.filter((h) => h.status === 'drift').length,
      changed: hosts.filter((h) => h.status === 'changed').length,
      failed: hosts.filter((h) => h.status === 'failed').length,
      unreachable: hosts.filter((h) => h.status === 'unreachable').length,
    },
  };
}
