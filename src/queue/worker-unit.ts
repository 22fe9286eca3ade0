/**
 * The systemd service `keel worker --install-unit` writes: the same worker command line, run in
 * the inventory's directory (so reports name state files as the controller's do), restarted when
 * it dies, stopped with SIGTERM to the worker alone (it finishes the hosts in flight; a stop
 * that takes longer than 30 minutes kills it, and its jobs go to another worker when their lease
 * runs out). No
 * password in it: PostgreSQL's comes from the service user's ~/.pgpass (or an EnvironmentFile).
 * Pure.
 */
import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { systemdQuote } from '../drift/schedule.js';

export interface WorkerInvocation {
  node: string;
  execArgv: string[];
  script: string;
  /** Absolute. */
  inventory: string;
  queue: string;
  concurrency: number;
  lease: number;
  name?: string;
  logLevel?: string;
}

export function workerArgv(w: WorkerInvocation): string[] {
  return [
    w.node, ...w.execArgv, w.script, 'worker', '--queue', w.queue, '-i', w.inventory, '--concurrency', String(w.concurrency), '--lease', String(w.lease),
    ...(w.name ? ['--name', w.name] : []),
    ...(w.logLevel && w.logLevel !== 'warn' ? ['--log-level', w.logLevel] : []),
  ];
}

export function workerUnitName(w: Pick<WorkerInvocation, 'inventory' | 'queue'>): string {
  return `keel-worker-${createHash('sha256').update(`${w.inventory}\n${w.queue}`).digest('hex').slice(0, 8)}`;
}

export function workerUnit(w: WorkerInvocation, user?: string): { name: string; text: string } {
  const name = workerUnitName(w);
  const text = [
    '[Unit]',
    `Description=keel worker for ${w.inventory} (queue ${w.queue})`,
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    ...(user ? [`User=${user}`] : []),
    `WorkingDirectory=${systemdQuote(dirname(w.inventory))}`,
    // PGPASSWORD, KEEL_AGE_KEY_FILE ... for this worker, readable by root alone
    `EnvironmentFile=-/etc/keel/${name}.env`,
    `ExecStart=${workerArgv(w).map(systemdQuote).join(' ')}`,
    // SIGTERM to the worker alone (its hosts' commands finish); a stop longer than this kills it
    'KillMode=mixed',
    'KillSignal=SIGTERM',
    'TimeoutStopSec=30min',
    'Restart=on-failure',
    'RestartSec=5',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
  return { name, text };
}
