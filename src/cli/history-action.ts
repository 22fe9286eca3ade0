/** keel history's work, loaded only when `keel history` runs. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadInventory } from '../config/index.js';
import type { HistoryFilter } from '../drift/history-query.js';
import { renderHistory } from '../drift/history-text.js';
import { historyLocation, openHistory } from '../drift/open-history.js';
import { parseWhen } from '../drift/time.js';
import { KeelError } from '../errors.js';
import type { HistoryFlags } from './history-command.js';

export async function historyCommand(flags: HistoryFlags): Promise<void> {
  // --state-dir or --history say where the history is: the inventory is not read
  const inv = flags.stateDir || flags.history ? undefined : loadInventory(flags.inventory);
  const stateDir = flags.stateDir ? resolve(flags.stateDir) : (inv?.stateDir ?? '');
  const loc = historyLocation({ flag: flags.history, setting: inv?.drift?.history, stateDir });
  const filter: HistoryFilter = {
    host: flags.host,
    resource: flags.resource,
    since: flags.since ? parseWhen(flags.since, '--since') : undefined,
    until: flags.until ? parseWhen(flags.until, '--until') : undefined,
    open: flags.open,
    runs: flags.runs,
  };
  if (loc.kind === 'sqlite' && !existsSync(loc.path)) {
    if (flags.json) {
      process.stdout.write(JSON.stringify({ episodes: [], incidents: [], runs: [] }, null, 2) + '\n');
      return;
    }
    throw new KeelError('E_NO_HISTORY', `no drift history in ${loc.path} yet`, { hint: 'run keel drift first (or pass --state-dir or --history)' });
  }
  const history = await openHistory(loc, { readonly: true });
  try {
    const view = await history.query(filter);
    process.stdout.write(flags.json ? JSON.stringify(view, null, 2) + '\n' : renderHistory(view));
  } finally {
    await history.close();
  }
}
