/**
 * `keel drift --enqueue` / `keel converge --enqueue`: compile here (bad input fails before
 * anything is enqueued), put one job per host on the PostgreSQL queue, then wait for the workers
 * and print the run's report as a direct run prints it (or, with --no-wait, say where it goes).
 */
import { resolve } from 'node:path';
import type { Inventory } from '../config/types.js';
import type { HostJob } from '../engine/compile.js';
import { exitCode } from '../engine/exit-code.js';
import { DEFAULT_LOCK_TIMEOUT_SECONDS } from '../engine/remote-lock.js';
import { UsageError } from '../errors.js';
import { isPostgresUrl } from '../drift/history-backend.js';
import { varsWithSecrets } from '../redact.js';
import { renderText } from '../report/text.js';
import { jobDigest } from '../queue/digest.js';
import { DONE_CHANNEL, type Queue } from '../queue/queue.js';
import { openQueue } from '../queue/open-queue.js';
import type { QueueRequest } from '../queue/types.js';
import type { RunFlags } from './run-command.js';
import { checkQueueUrl } from './queue-url.js';

export interface EnqueueFlags extends RunFlags {
  enqueue?: boolean;
  queue?: string;
  wait: boolean;
}

/**
 * The queue's URL: --queue, else the PostgreSQL history (`history`). `records`: a drift run, which
 * the workers record in the queue's database, so another history is refused.
 */
export function queueUrl(flags: { queue?: string }, history: string | undefined, records: boolean): string {
  if (flags.queue) {
    checkQueueUrl(flags.queue);
    if (records && history && history !== flags.queue) throw new UsageError('--enqueue records the drift in the queue\'s database: --queue and the history (--history or drift.history) differ', { hint: 'give one PostgreSQL URL: --queue (or only drift.history)' });
    return flags.queue;
  }
  if (history && isPostgresUrl(history)) return history;
  throw new UsageError('--enqueue needs the PostgreSQL database the workers take jobs from', { hint: 'keel ... --enqueue --queue postgres://USER@HOST/DB (or set drift.history to that URL); see docs/scale.md' });
}

/** What a queued run cannot do (each flag said once). */
export function refuseWithEnqueue(flags: EnqueueFlags, inv: Inventory, also: Record<string, unknown> = {}): void {
  const given = Object.entries<unknown>({ '--serial': flags.serial, '--out': flags.out, ...also }).filter(([, v]) => v !== undefined && v !== false).map(([k]) => k);
  if (given.length) throw new UsageError(`${given.join(', ')} with --enqueue: not for a run spread over workers`, { hint: 'leave it out, or run without --enqueue' });
  const secrets = [...new Set([...inv.hosts.values()].flatMap((h) => h.secrets))];
  const named = varsWithSecrets(flags.var, secrets);
  if (named.length) {
    throw new UsageError(`--var ${named.join(', --var ')}: the value of a sensitive variable would be stored in the queue`, { hint: 'set it in the workers\' inventory instead of on the command line' });
  }
}

export async function enqueueRun(command: QueueRequest['command'], flags: EnqueueFlags, jobs: HostJob[], url: string, tags: string[]): Promise<void> {
  const request: QueueRequest = {
    command,
    inventory: resolve(flags.inventory),
    ...(flags.limit !== undefined ? { limit: flags.limit } : {}),
    tags,
    vars: flags.var,
    lockTimeout: flags.lockTimeout ?? DEFAULT_LOCK_TIMEOUT_SECONDS,
  };
  const names = new Set(jobs.map((j) => j.host.name));
  const hosts = jobs.map((j) => ({ host: j.host.name, after: command === 'converge' ? j.host.after.filter((h) => names.has(h)) : [], digest: jobDigest(j) }));
  const queue = await openQueue(url);
  try {
    const runId = await queue.enqueue(request, hosts);
    const say = (m: string) => process.stderr.write(`keel ${command}: ${m}\n`);
    if (!flags.wait) {
      process.stdout.write(`enqueued run ${runId}: ${hosts.length} ${hosts.length === 1 ? 'host' : 'hosts'} for the workers of ${queue.location}${command === 'drift' ? `; its drift is recorded in that history (keel history --history ${queue.location})` : ''}\n`);
      return;
    }
    say(`enqueued run ${runId} (${hosts.length} ${hosts.length === 1 ? 'host' : 'hosts'}); waiting for the workers of ${queue.location}`);
    const waiter = new Waiter();
    const onSigint = () => {
      if (waiter.interrupted) process.exit(130);
      waiter.interrupted = true;
      waiter.wake();
    };
    process.on('SIGINT', onSigint);
    try {
      const status = await waitFor(queue, runId, waiter, () => say(`no worker has taken a job of run ${runId} yet: is a keel worker running against ${queue.location}? (docs/scale.md)`));
      if (!status) {
        say(`interrupted: run ${runId} goes on on the workers (nothing here stops it)`);
        process.exitCode = 130;
        return;
      }
      const report = status.report!;
      if (status.error) say(`run ${runId}: ${status.error}`);
      process.stdout.write(flags.json ? JSON.stringify(report, null, 2) + '\n' : renderText(report, { diffLines: flags.diffLines }));
      process.exitCode = status.error ? 1 : exitCode(report, flags.detailedExitcode);
    } finally {
      process.off('SIGINT', onSigint);
    }
  } finally {
    await queue.close();
  }
}

/** A run no worker has touched for this long gets one line saying so. */
const IDLE_WARNING_MS = 10_000;

/** A sleep that a notification or Ctrl-C ends early. */
class Waiter {
  interrupted = false;
  private done: () => void = () => undefined;
  wake(): void {
    this.done();
  }
  sleep(ms: number): Promise<void> {
    return new Promise((r) => {
      const t = setTimeout(r, ms);
      this.done = () => {
        clearTimeout(t);
        r();
      };
    });
  }
}

/** Wait for the run's end: woken by NOTIFY, looking every 2 s anyway (a notification is not kept while nobody listens). */
async function waitFor(queue: Queue, runId: number, waiter: Waiter, idle: () => void) {
  const unlisten = await queue.listen(DONE_CHANNEL, (p) => p === String(runId) && waiter.wake());
  const since = Date.now();
  let told = false;
  try {
    for (let failures = 0; ; ) {
      // a lost connection is tried again for a while: the run goes on meanwhile
      const s = await queue.status(runId).catch((e: Error) => {
        if (++failures >= 15) throw e;
        return undefined;
      });
      if (s) failures = 0;
      if (s?.finished) return s;
      if (s && s.taken === 0 && !told && Date.now() - since > IDLE_WARNING_MS) {
        told = true;
        idle();
      }
      if (waiter.interrupted) return undefined;
      await waiter.sleep(2000);
    }
  } finally {
    await unlisten();
  }
}
