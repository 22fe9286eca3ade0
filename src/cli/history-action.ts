/** keel history's work, loaded only when `keel history` runs. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadInventory } from '../config/index.js';
import { queryHistory, type HistoryFilter } from '../drift/history-query.js';
import { HistoryStore } from '../drift/history.js';
import { renderHistory } from '../drift/history-text.js';
import { HISTORY_FILE } from '../drift/run-drift.js';
import { parseWhen } from '../drift/time.js';
import { KeelError } from '../errors.js';
import type { HistoryFlags } from './history-command.js';

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
