/**
 * `keel history`: what drifted, where, since when, and when it was fixed. Episodes and incidents
 * are read from their own tables (indexed), never reconstructed by scanning runs.
 */
import type { Change } from '../module.js';
import type { HistoryStore } from './history.js';

export interface HistoryFilter {
  /** Host name or glob (`web*`). */
  host?: string;
  /** Resource id or glob (`file:/etc/*`), or a plain substring. */
  resource?: string;
  /** ISO times: episodes that were open at some point in [since, until]. */
  since?: string;
  until?: string;
  /** Only episodes still open. */
  open?: boolean;
  /** How many recent runs to list (default 20). */
  runs?: number;
}

export interface EpisodeView {
  host: string;
  resource: string;
  type: string;
  name: string;
  status: 'open' | 'resolved';
  firstSeen: string;
  lastSeen: string;
  resolvedAt: string | null;
  resolution: 'fixed' | 'removed' | null;
  /** Seconds from first seen to resolved (or to now while open). */
  durationSeconds: number;
  /** Drift runs that saw it. */
  seenRuns: number;
  lastAction: string;
  lastChanges: Change[];
  /** The diff recorded by the last run that saw it (capped; never for sensitive resources). */
  lastDiff: string | null;
}

export interface IncidentView {
  host: string;
  status: 'failed' | 'unreachable';
  error: string | null;
  firstSeen: string;
  lastSeen: string;
  resolvedAt: string | null;
}

export interface RunView {
  id: number;
  startedAt: string;
  durationMs: number;
  inventory: string;
  limit: string | null;
  tags: string | null;
  exitCode: number;
  hosts: number;
  drifted: number;
  failed: number;
  unreachable: number;
  alertError: string | null;
}

export interface HistoryView {
  episodes: EpisodeView[];
  incidents: IncidentView[];
  runs: RunView[];
}

export function queryHistory(store: HistoryStore, f: HistoryFilter, now = new Date()): HistoryView {
  const db = store.db;
  const where: string[] = [];
  const args: unknown[] = [];
  if (f.host) {
    where.push('e.host GLOB ?');
    args.push(f.host);
  }
  if (f.resource) {
    where.push(/[*?[]/.test(f.resource) ? 'e.resource GLOB ?' : "(e.resource = ? OR instr(e.resource, ?) > 0)");
    args.push(f.resource);
    if (!/[*?[]/.test(f.resource)) args.push(f.resource);
  }
  if (f.open) where.push('e.resolved_at IS NULL');
  if (f.since) {
    where.push('(e.resolved_at IS NULL OR e.resolved_at >= ?)');
    args.push(f.since);
  }
  if (f.until) {
    where.push('e.first_seen <= ?');
    args.push(f.until);
  }
  const rows = db
    .prepare(
      `SELECT e.*, (SELECT diff FROM run_resources rr WHERE rr.run_id = e.last_run AND rr.host = e.host AND rr.resource = e.resource) AS last_diff
       FROM episodes e ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
       ORDER BY e.resolved_at IS NOT NULL, e.first_seen DESC, e.id DESC`,
    )
    .all(...args) as Record<string, any>[];
  const episodes: EpisodeView[] = rows.map((r) => ({
    host: r.host,
    resource: r.resource,
    type: r.type,
    name: r.name,
    status: r.resolved_at ? 'resolved' : 'open',
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    resolvedAt: r.resolved_at ?? null,
    resolution: r.resolution ?? null,
    durationSeconds: Math.round(((r.resolved_at ? Date.parse(r.resolved_at) : now.getTime()) - Date.parse(r.first_seen)) / 1000),
    seenRuns: r.seen_runs,
    lastAction: r.last_action,
    lastChanges: JSON.parse(r.last_changes),
    lastDiff: r.last_diff ?? null,
  }));

  const iw: string[] = [];
  const iargs: unknown[] = [];
  if (f.host) {
    iw.push('host GLOB ?');
    iargs.push(f.host);
  }
  if (f.open) iw.push('resolved_at IS NULL');
  if (f.since) {
    iw.push('(resolved_at IS NULL OR resolved_at >= ?)');
    iargs.push(f.since);
  }
  if (f.until) {
    iw.push('first_seen <= ?');
    iargs.push(f.until);
  }
  const incidents = (
    f.resource
      ? []
      : (db
          .prepare(`SELECT * FROM host_incidents ${iw.length ? 'WHERE ' + iw.join(' AND ') : ''} ORDER BY resolved_at IS NOT NULL, first_seen DESC, id DESC`)
          .all(...iargs) as Record<string, any>[])
  ).map((r) => ({ host: r.host, status: r.status, error: r.error ?? null, firstSeen: r.first_seen, lastSeen: r.last_seen, resolvedAt: r.resolved_at ?? null }));

  const rw: string[] = [];
  const rargs: unknown[] = [];
  if (f.host) {
    rw.push('EXISTS (SELECT 1 FROM run_hosts h WHERE h.run_id = runs.id AND h.host GLOB ?)');
    rargs.push(f.host);
  }
  if (f.since) {
    rw.push('started_at >= ?');
    rargs.push(f.since);
  }
  if (f.until) {
    rw.push('started_at <= ?');
    rargs.push(f.until);
  }
  const runs = (
    db
      .prepare(`SELECT * FROM runs ${rw.length ? 'WHERE ' + rw.join(' AND ') : ''} ORDER BY id DESC LIMIT ?`)
      .all(...rargs, f.runs ?? 20) as Record<string, any>[]
  ).map((r) => ({
    id: r.id,
    startedAt: r.started_at,
    durationMs: r.duration_ms,
    inventory: r.inventory,
    limit: r.host_limit ?? null,
    tags: r.tags ?? null,
    exitCode: r.exit_code,
    hosts: r.hosts,
    drifted: r.drifted,
    failed: r.failed,
    unreachable: r.unreachable,
    alertError: r.alert_error ?? null,
  }));
  return { episodes, incidents, runs };
}
