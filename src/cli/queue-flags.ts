/** The flags that put a run on the workers' queue (keel drift, keel converge): docs/scale.md. */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';

export function queueOptions(cmd: Command): Command {
  return cmd
    .option('--enqueue', 'put one job per host on the PostgreSQL queue for keel worker processes, wait for them, print the report (docs/scale.md)')
    .option('--queue <url>', 'with --enqueue: the queue\'s database, postgres://USER@HOST/DB (password from PGPASSWORD or ~/.pgpass; default: drift.history when it is one)')
    .option('--no-wait', 'with --enqueue: return once the jobs are queued');
}

/** --queue and --no-wait mean nothing without --enqueue. */
export function checkQueueFlags(flags: { enqueue?: boolean; queue?: string; wait: boolean }): void {
  const orphan = [flags.queue !== undefined && '--queue', flags.wait === false && '--no-wait'].filter(Boolean);
  if (!flags.enqueue && orphan.length) throw new UsageError(`${orphan.join(' and ')} without --enqueue`, { hint: 'add --enqueue to run on the workers' });
}
