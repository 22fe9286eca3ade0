/** keel worker: take host jobs from the PostgreSQL queue and run them (docs/scale.md). */
import type { Command } from 'commander';
import { wholeNumber } from './flag-values.js';

export interface WorkerFlags {
  queue: string;
  inventory: string;
  concurrency: number;
  lease: number;
  name?: string;
  acceptNew?: boolean;
  installUnit?: boolean;
  unitDir?: string;
  user?: string;
  logLevel: import('../log.js').LogLevel;
  logFile?: string;
}

export function registerWorkerCommand(program: Command, logOptions: (cmd: Command) => Command): void {
  logOptions(program.command('worker'))
    .description('take host jobs of keel drift/converge --enqueue from a PostgreSQL queue and run them, until SIGTERM')
    .requiredOption('--queue <url>', 'the queue\'s database: postgres://USER@HOST/DB (password from PGPASSWORD or ~/.pgpass)')
    .option('-i, --inventory <file>', 'this worker\'s checkout of the inventory (its states must compile as the controller\'s)', 'inventory.yaml')
    .option('-c, --concurrency <n>', 'hosts to run at once', wholeNumber('--concurrency', 1), 4)
    .option('--lease <seconds>', 'a job not renewed for this long (its worker gone) is given to another worker', wholeNumber('--lease', 3), 60)
    .option('--name <name>', 'the name stored with the jobs it holds (default: HOSTNAME:PID)')
    .option('--accept-new', 'record host keys of hosts not yet in known_hosts (a changed key is still refused)')
    .option('--install-unit', 'write (and enable, start) a systemd service that runs this same worker')
    .option('--unit-dir <dir>', 'with --install-unit: only write the unit file into this directory (no systemctl)')
    .option('--user <user>', 'with --install-unit: the user the service runs as')
    .action(async (flags: WorkerFlags) => (await import('./worker-action.js')).workerCommand(flags));
}
