/** keel history: what drifted, where, since when, and when it was fixed (docs/drift.md). */
import type { Command } from 'commander';
import { wholeNumber } from './flag-values.js';

export interface HistoryFlags {
  inventory: string;
  stateDir?: string;
  history?: string;
  host?: string;
  resource?: string;
  since?: string;
  until?: string;
  open?: boolean;
  runs: number;
  json?: boolean;
}

export function registerHistoryCommand(program: Command, logOptions: (cmd: Command) => Command): void {
  logOptions(program.command('history'))
    .description('what drifted, where, since when, and when it was fixed (from keel drift runs)')
    .option('-i, --inventory <file>', 'inventory file (finds the state dir)', 'inventory.yaml')
    .option('--state-dir <dir>', 'state dir holding history.db (default: the inventory\'s)')
    .option('--history <url|file>', 'read this history: postgres://USER@HOST/DB (password from PGPASSWORD or ~/.pgpass) or a file (default: drift.history, else <state dir>/history.db)')
    .option('--host <pattern>', 'only this host (glob: web*)')
    .option('--resource <id>', 'only this resource (id, glob file:/etc/*, or a part of the id)')
    .option('--since <when>', 'drift open at some point since: 2d, 12h, 30m, 1w or a date/time')
    .option('--until <when>', 'drift that began before: same forms as --since')
    .option('--open', 'only drift not fixed yet')
    .option('--runs <n>', 'recent runs to list', wholeNumber('--runs', 1), 20)
    .option('--json', 'print JSON (shape in docs/drift.md)')
    .action(async (flags: HistoryFlags) => (await import('./history-action.js')).historyCommand(flags));
}

