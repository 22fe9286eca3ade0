/**
 * The drift history behind one interface, whatever holds it: the default SQLite file of one
 * controller (src/drift/history.ts) or a PostgreSQL database that several controllers and
 * workers write at once (src/history/pg-history.ts). Both answer the same queries with the same
 * views; `keel drift`, `keel history`, `keel worker` and `keel serve` see only this interface.
 */
import type { RunReport } from '../report/types.js';
import type { HistoryFilter, HistoryView } from './history-query.js';
import type { RunMeta } from './history.js';
import type { Transitions } from './transitions.js';

/** A host as the last run that planned it left it, with its open drift and failure. */
export interface HostState {
  host: string;
  /** The last run's status: in-sync, drift, failed, unreachable. */
  status: string;
  /** Resources drifted at that run. */
  drifted: number;
  /** Drift episodes still open. */
  openEpisodes: number;
  /** When that run recorded the host. */
  at: string;
  /** The first-seen time of its oldest open episode. */
  driftedSince: string | null;
  /** Since when it fails or is unreachable (an open incident), and why. */
  failingSince: string | null;
  error: string | null;
}

export interface History {
  /** Where it is, for messages: a file path or a URL without its password. */
  readonly location: string;
  /** Record one run and the transitions it causes, atomically (one transaction). */
  recordRun(report: RunReport, meta: RunMeta): Promise<{ runId: number; transitions: Transitions }>;
  setAlertError(runId: number, error: string | null): Promise<void>;
  /** Delete runs, resolved episodes and incidents older than `days` (open episodes stay). */
  prune(days: number, now?: Date): Promise<{ runs: number; episodes: number }>;
  query(filter: HistoryFilter, now?: Date): Promise<HistoryView>;
  hosts(): Promise<HostState[]>;
  counters(): Promise<Map<string, number>>;
  close(): Promise<void>;
}

/** Where a history lives: `--history`, the inventory's `drift.history`, else `<state dir>/history.db`. */
export type HistoryLocation = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

export const isPostgresUrl = (s: string) => /^postgres(ql)?:\/\//i.test(s);
