/** Run plan or converge over every target host in parallel, at most `forks` at once. */
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { RunReport } from '../report/types.js';
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
  const hosts = await Promise.all(
    jobs.map((job) =>
      limit(async () => {
        const report = await runHost(job, { mode, connect: opts.connect, log: opts.log, interrupted: opts.interrupted });
        opts.onHost?.(report);
        return report;
      }),
    ),
  );
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
