/**
 * keel drift: `keel plan` that records its result (history, alerts, metrics), once, in the
 * foreground on a schedule (--every), or installed into cron or a systemd timer.
 */
import { Command, Option } from 'commander';
import { wholeNumber } from './flag-values.js';
import type { EnqueueFlags } from './enqueue-action.js';
import { queueOptions } from './queue-flags.js';

export interface DriftFlags extends EnqueueFlags {
  stateDir?: string;
  retentionDays?: number;
  metricsFile?: string;
  history?: string;
  lockTimeout: number;
  installCron?: string;
  cronUser?: string;
  uninstallCron?: boolean;
  systemdTimer?: string;
  unitDir?: string;
  every?: string;
}

export function registerDriftCommand(program: Command, runFlags: (cmd: Command) => Command): void {
  queueOptions(runFlags(program.command('drift').description('plan every host and record the result: history, alerts, metrics (exit 0 in sync, 2 drift, 1 error)')))
    .option('--state-dir <dir>', 'where history.db, the lock and logs live (default: the inventory\'s state_dir, .keel beside it)')
    .option('--retention-days <n>', 'prune runs older than this (open drift is kept)', wholeNumber('--retention-days', 1))
    .option('--metrics-file <file>', 'write Prometheus text metrics here (atomically)')
    .option('--history <url|file>', 'record into this history: postgres://USER@HOST/DB (password from PGPASSWORD or ~/.pgpass) or a file (default: drift.history, else <state dir>/history.db)')
    .option('--lock-timeout <seconds>', 'wait this long for another drift run on the same state dir, and for the lock of each host (0: exit 1 at once)', wholeNumber('--lock-timeout', 0), 0)
    .addOption(new Option('--install-cron <expr>', 'install a crontab entry that runs this same check on a schedule ("*/30 * * * *")').conflicts(['uninstallCron', 'systemdTimer', 'every']))
    .option('--cron-user <user>', 'whose crontab (default: you)')
    .addOption(new Option('--uninstall-cron', 'remove the crontab entry of this inventory/limit/tags').conflicts(['systemdTimer', 'every']))
    .addOption(new Option('--systemd-timer <calendar>', 'install a systemd .service + .timer: an OnCalendar expression ("*-*-* *:0/30") or a simple cron expression').conflicts(['every']))
    .option('--unit-dir <dir>', 'with --systemd-timer: only write the unit files into this directory (no systemctl)')
    .option('--every <expr>', 'run in the foreground on this cron schedule until SIGINT/SIGTERM')
    .action(async (flags: DriftFlags) => (await import('./drift-action.js')).driftCommand(flags));
}

