/** keel history: what drifted, where, since when, and when it was fixed (docs/drift.md). */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadInventory } from '../config/index.js';
import { queryHistory, type HistoryFilter } from '../drift/history-query.js';
import { HistoryStore } from '../drift/history.js';
import { renderHistory } from '../drift/history-text.js';
import { HISTORY_FILE } from '../drift/run-drift.js';
import { parseWhen } from '../drift/time.js';
import { KeelError } from '../errors.js';

interface HistoryFlags {
  inventory: string;
  stateDir?: string;
  host?: string;
  resource?: string;
  since?: string;
  until?: string;
  open?: boolean;
  runs: number;
  json?: boolean;
}

export function registerHistoryCommand(program: Command): void {
  program
    .command('history')
    .description('what drifted, where, since when, and when it was fixed (from keel drift runs)')
    .option('-i, --inventory <file>', 'inventory file (finds the state dir)', 'inventory.yaml')
    .option('--state-dir <dir>', 'state dir holding history.db (default: the inventory\'s)')
    .option('--host <pattern>', 'only this host (glob: web*)')
    .option('--resource <id>', 'only this resource (id, glob file:/etc/*, or a part of the id)')
    .option('--since <when>', 'drift open at some point since: 2d, 12h, 30m, 1w or a date/time')
    .option('--until <when>', 'drift that began before: same forms as --since')
    .option('--open', 'only drift not fixed yet')
    .option('--runs <n>', 'recent runs to list', (v) => parseInt(v, 10), 20)
    .option('--json', 'print JSON (shape in docs/drift.md)')
    .action((flags: HistoryFlags) => historyCommand(flags));
}

export function historyCommand(flags: HistoryFlags): void {
  const stateDir = flags.stateDir ? resolve(flags.stateDir) : loadInventory(flags.inventory).stateDir;
  const path = join(stateDir, HISTORY_FILE);
  const filter: HistoryFilter = {
    host: flags.host,
    resource: flags.resource,
    since: flags.since ? parseWhen(flags.since, '--since') : undefined,
    until: flags.until ? parseWhen(flags.until, '--until') : undefined,
    open: flags.open,
    runs: flags.runs,
  };
  if (!existsSync(path)) {
    if (flags.json) {
      process.stdout.write(JSON.stringify({ episodes: [], incidents: [], runs: [] }, null, 2) + '\n');
      return;
    }
    throw new KeelError('E_NO_HISTORY', `no drift history in ${stateDir} yet`, { hint: 'run keel drift first (or pass --state-dir)' });
  }
  const store = HistoryStore.open(path, { readonly: true });
  try {
    const view = queryHistory(store, filter);
    process.stdout.write(flags.json ? JSON.stringify(view, null, 2) + '\n' : renderHistory(view));
  } finally {
    store.close();
  }
}
