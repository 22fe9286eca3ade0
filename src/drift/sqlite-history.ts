/** The History interface over the SQLite file of one controller (`<state dir>/history.db`). */
import type { RunReport } from '../report/types.js';
import type { History, HostState } from './history-backend.js';
import { HOSTS_SQL, hostState, queryHistory, type HistoryFilter, type HistoryView } from './history-query.js';
import { HistoryStore, type RunMeta } from './history.js';

export class SqliteHistory implements History {
  readonly location: string;
  readonly store: HistoryStore;

  constructor(store: HistoryStore, path: string) {
    this.store = store;
    this.location = path;
  }

  static open(path: string, opts: { readonly?: boolean } = {}): SqliteHistory {
    return new SqliteHistory(HistoryStore.open(path, opts), path);
  }

  async recordRun(report: RunReport, meta: RunMeta) {
    return this.store.recordRun(report, meta);
  }

  async setAlertError(runId: number, error: string | null): Promise<void> {
    this.store.setAlertError(runId, error);
  }

  async prune(days: number, now?: Date) {
    return this.store.prune(days, now);
  }

  async query(filter: HistoryFilter, now?: Date): Promise<HistoryView> {
    return queryHistory(this.store, filter, now);
  }

  async hosts(): Promise<HostState[]> {
    return (this.store.db.prepare(HOSTS_SQL).all() as Record<string, unknown>[]).map(hostState);
  }

  async counters(): Promise<Map<string, number>> {
    return this.store.counters();
  }

  async close(): Promise<void> {
    this.store.close();
  }
}
