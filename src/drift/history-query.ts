/**
 * `keel history`: what drifted, where, since when, and when it was fixed. Episodes and incidents
 * are read from their own tables (indexed), never reconstructed by scanning runs.
 */
import type { Change } from '../module.js';
import type { HostState } from './history-backend.js';
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

/** The two SQL dialects of the history's backends: where SQLite and PostgreSQL differ. */
export interface Dialect {
  /** A condition: `col` matches the glob bound to the next placeholder. */
  glob(col: string): string;
  /** The glob's bound value (PostgreSQL matches a regular expression made from it). */
  globArg(glob: string): string;
  /** A condition: `col` contains the text bound to the next placeholder. */
  contains(col: string): string;
}

export const SQLITE: Dialect = { glob: (c) => `${c} GLOB ?`, globArg: (g) => g, contains: (c) => `instr(${c}, ?) > 0` };

export interface Statement {
  sql: string;
  args: unknown[];
}

const hasGlob = (s: string) => /[*?[]/.test(s);
const whereOf = (w: string[]) => (w.length ? 'WHERE ' + w.join(' AND ') : '');

/** The three queries of `keel history` (episodes, incidents, runs) with `?` placeholders. */
export function historyStatements(f: HistoryFilter, d: Dialect): { episodes: Statement; incidents?: Statement; runs: Statement } {
  const where: string[] = [];
  const args: unknown[] = [];
  if (f.host) {
    where.push(d.glob('e.host'));
    args.push(d.globArg(f.host));
  }
  if (f.resource) {
    if (hasGlob(f.resource)) {
      where.push(d.glob('e.resource'));
      args.push(d.globArg(f.resource));
    } else {
      where.push(`(e.resource = ? OR ${d.contains('e.resource')})`);
      args.push(f.resource, f.resource);
    }
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
  const episodes = {
    sql: `SELECT e.*, (SELECT diff FROM run_resources rr WHERE rr.run_id = e.last_run AND rr.host = e.host AND rr.resource = e.resource) AS last_diff
       FROM episodes e ${whereOf(where)}
       ORDER BY e.resolved_at IS NOT NULL, e.first_seen DESC, e.id DESC`,
    args,
  };

  const iw: string[] = [];
  const iargs: unknown[] = [];
  if (f.host) {
    iw.push(d.glob('host'));
    iargs.push(d.globArg(f.host));
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
  // incidents are of hosts, not resources: a resource filter leaves none
  const incidents = f.resource ? undefined : { sql: `SELECT * FROM host_incidents ${whereOf(iw)} ORDER BY resolved_at IS NOT NULL, first_seen DESC, id DESC`, args: iargs };

  const rw: string[] = [];
  const rargs: unknown[] = [];
  if (f.host) {
    rw.push(`EXISTS (SELECT 1 FROM run_hosts h WHERE h.run_id = runs.id AND ${d.glob('h.host')})`);
    rargs.push(d.globArg(f.host));
  }
  if (f.since) {
    rw.push('started_at >= ?');
    rargs.push(f.since);
  }
  if (f.until) {
    rw.push('started_at <= ?');
    rargs.push(f.until);
  }
  const runs = { sql: `SELECT * FROM runs ${whereOf(rw)} ORDER BY id DESC LIMIT ?`, args: [...rargs, f.runs ?? 20] };
  return { episodes, incidents, runs };
}

/** The hosts' last state with their open drift and failure (the dashboard's and the metrics' rows). */
export const HOSTS_SQL = `SELECT l.host, l.status, l.drifted, l.at,
    (SELECT count(*) FROM episodes e WHERE e.host = l.host AND e.resolved_at IS NULL) AS open_episodes,
    (SELECT min(e.first_seen) FROM episodes e WHERE e.host = l.host AND e.resolved_at IS NULL) AS drifted_since,
    i.first_seen AS failing_since, i.error
  FROM host_latest l LEFT JOIN host_incidents i ON i.host = l.host AND i.resolved_at IS NULL
  ORDER BY l.host`;

export function hostState(r: Record<string, any>): HostState {
  return {
    host: r.host,
    status: r.status,
    drifted: Number(r.drifted),
    openEpisodes: Number(r.open_episodes),
    at: iso(r.at),
    driftedSince: isoOrNull(r.drifted_since),
    failingSince: isoOrNull(r.failing_since),
    error: r.error ?? null,
  };
}

export function queryHistory(store: HistoryStore, f: HistoryFilter, now = new Date()): HistoryView {
  const q = historyStatements(f, SQLITE);
  const all = (s: Statement) => store.db.prepare(s.sql).all(...s.args) as Record<string, any>[];
  return { episodes: all(q.episodes).map((r) => episodeView(r, now)), incidents: q.incidents ? all(q.incidents).map(incidentView) : [], runs: all(q.runs).map(runView) };
}

/** A database row's time as ISO text (SQLite stores text; PostgreSQL returns a Date). */
export const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v));
const isoOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : iso(v));
const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);

/** One episodes row (with its `last_diff`) as a view; the same for every backend. */
export function episodeView(r: Record<string, any>, now: Date): EpisodeView {
  const resolvedAt = isoOrNull(r.resolved_at);
  const firstSeen = iso(r.first_seen);
  return {
    host: r.host,
    resource: r.resource,
    type: r.type,
    name: r.name,
    status: resolvedAt ? 'resolved' : 'open',
    firstSeen,
    lastSeen: iso(r.last_seen),
    resolvedAt,
    resolution: r.resolution ?? null,
    durationSeconds: Math.round(((resolvedAt ? Date.parse(resolvedAt) : now.getTime()) - Date.parse(firstSeen)) / 1000),
    seenRuns: Number(r.seen_runs),
    lastAction: r.last_action,
    lastChanges: json(r.last_changes),
    lastDiff: r.last_diff ?? null,
  };
}

export function incidentView(r: Record<string, any>): IncidentView {
  return { host: r.host, status: r.status, error: r.error ?? null, firstSeen: iso(r.first_seen), lastSeen: iso(r.last_seen), resolvedAt: isoOrNull(r.resolved_at) };
}

export function runView(r: Record<string, any>): RunView {
  return {
    id: Number(r.id),
    startedAt: iso(r.started_at),
    durationMs: Number(r.duration_ms),
    inventory: r.inventory,
    limit: r.host_limit ?? null,
    tags: r.tags ?? null,
    exitCode: Number(r.exit_code),
    hosts: Number(r.hosts),
    drifted: Number(r.drifted),
    failed: Number(r.failed),
    unreachable: Number(r.unreachable),
    alertError: r.alert_error ?? null,
  };
}
