/**
 * Which history a command reads or writes: `--history URL|FILE`, else the inventory's
 * `drift.history`, else `<state dir>/history.db`. A PostgreSQL URL never carries its password
 * (argv is visible to every user of the machine, the inventory is in a repository): it comes from
 * PGPASSWORD or ~/.pgpass, as for psql.
 */
import { join, resolve } from 'node:path';
import { KeelError } from '../errors.js';
import { isPostgresUrl, type History, type HistoryLocation } from './history-backend.js';

export const HISTORY_FILE = 'history.db';

/** Refuse a password inside a PostgreSQL URL; `where` names the flag or the inventory key. */
export function checkHistoryUrl(url: string, where: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new KeelError('E_USAGE', `${where}: ${JSON.stringify(url)} is not a URL`, { hint: 'postgres://USER@HOST:PORT/DATABASE' });
  }
  if (u.password || u.searchParams.has('password')) {
    throw new KeelError('E_USAGE', `${where}: the URL carries a password`, {
      hint: 'leave it out of the URL and give it in PGPASSWORD (or ~/.pgpass), as for psql',
    });
  }
}

export function historyLocation(opts: { flag?: string; setting?: string; stateDir: string }): HistoryLocation {
  const given = opts.flag ?? opts.setting;
  if (given && isPostgresUrl(given)) {
    checkHistoryUrl(given, opts.flag ? '--history' : 'drift.history');
    return { kind: 'postgres', url: given };
  }
  if (opts.flag) return { kind: 'sqlite', path: resolve(opts.flag) };
  if (opts.setting) return { kind: 'sqlite', path: opts.setting };
  return { kind: 'sqlite', path: join(opts.stateDir, HISTORY_FILE) };
}

/** Open a history (PostgreSQL's client is loaded only when one is used). */
export async function openHistory(loc: HistoryLocation, opts: { readonly?: boolean } = {}): Promise<History> {
  if (loc.kind === 'postgres') {
    const { PgHistory } = await import('./pg-history.js');
    return PgHistory.open(loc.url);
  }
  const { SqliteHistory } = await import('./sqlite-history.js');
  return SqliteHistory.open(loc.path, opts);
}

export const describeLocation = (loc: HistoryLocation) => (loc.kind === 'postgres' ? loc.url : loc.path);
