/**
 * The drift history on the controller: one SQLite file (`<state dir>/history.db`, WAL, busy
 * timeout). Every run is recorded in one transaction together with the episode and incident
 * changes it causes, so a crash or a concurrent reader never sees half a run.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { KeelError } from '../errors.js';
import { REDACTED } from '../engine/host-report.js';
import type { RunReport } from '../report/types.js';
import { migrate } from './schema.js';
import { computeTransitions, isDrifted, type HostIncident, type OpenEpisode, type Transitions } from './transitions.js';

/**
 * The history holds diffs of files only root may read: the state dir is made 0700 and the
 * database 0600 before SQLite opens it (its -wal and -shm files take the database's mode). Files
 * of an older keel are tightened too, when they are ours.
 */
function ownerOnly(path: string): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  closeSync(openSync(path, 'a', 0o600));
  const uid = process.getuid?.();
  for (const [p, mode] of [[dir, 0o700], [path, 0o600], [`${path}-wal`, 0o600], [`${path}-shm`, 0o600]] as const) {
    if (existsSync(p) && statSync(p).uid === uid && (statSync(p).mode & 0o777) !== mode) chmodSync(p, mode);
  }
}

/** Diffs longer than this are cut (the rest is in the host, not in the history). */
export const DIFF_CAP = 16 * 1024;
/** String values inside `changes` longer than this are cut. */
export const VALUE_CAP = 2048;

export interface RunMeta {
  inventory: string;
  /** Types with sensitive parameters: their diffs are never stored. Required: a caller that forgot it would store them. */
  sensitiveTypes: ReadonlySet<string>;
  limit?: string;
  tags: string[];
  exitCode: number;
}

export class HistoryStore {
  readonly db: Database.Database;

  private constructor(db: Database.Database) {
    this.db = db;
  }

  /** Open (creating and migrating) a history file, or `:memory:` for tests. */
  static open(path: string, opts: { readonly?: boolean; busyTimeoutMs?: number } = {}): HistoryStore {
    if (path !== ':memory:' && !opts.readonly) ownerOnly(path);
    let db: Database.Database;
    try {
      db = new Database(path, { readonly: !!opts.readonly, fileMustExist: !!opts.readonly, timeout: opts.busyTimeoutMs ?? 10_000 });
    } catch (e) {
      throw new KeelError('E_HISTORY', `cannot open history ${path}: ${(e as Error).message}`, { cause: e });
    }
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      migrate(db);
    }
    return new HistoryStore(db);
  }

  close(): void {
    this.db.close();
  }

  previousState(): { episodes: OpenEpisode[]; incidents: HostIncident[] } {
    const episodes = this.db
      .prepare('SELECT id, host, resource, type, name, first_seen AS firstSeen FROM episodes WHERE resolved_at IS NULL ORDER BY id')
      .all() as OpenEpisode[];
    const incidents = this.db
      .prepare('SELECT host, status, error, first_seen AS since FROM host_incidents WHERE resolved_at IS NULL ORDER BY id')
      .all() as HostIncident[];
    return { episodes, incidents };
  }

  /** Record one run and the transitions it causes, atomically; returns them for alerts. */
  recordRun(report: RunReport, meta: RunMeta): { runId: number; transitions: Transitions } {
    const db = this.db;
    return db.transaction(() => {
      const transitions = computeTransitions(this.previousState(), report, meta.tags);
      const s = report.summary;
      const runId = Number(
        db
          .prepare(
            `INSERT INTO runs (started_at, duration_ms, inventory, host_limit, tags, exit_code, hosts, drifted, failed, unreachable, summary)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(report.startedAt, report.durationMs, meta.inventory, meta.limit ?? null, meta.tags.length ? meta.tags.join(',') : null, meta.exitCode, s.hosts, s.drifted, s.failed, s.unreachable, JSON.stringify(s)).lastInsertRowid,
      );
      const insHost = db.prepare('INSERT INTO run_hosts (run_id, host, status, error, unreachable, drifted, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?)');
      const insRes = db.prepare('INSERT INTO run_resources (run_id, host, resource, type, name, action, changes, diff, diff_truncated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
      const latest = db.prepare(
        `INSERT INTO host_latest (host, status, drifted, run_id, at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(host) DO UPDATE SET status = excluded.status, drifted = excluded.drifted, run_id = excluded.run_id, at = excluded.at`,
      );
      for (const h of report.hosts) {
        const drifted = h.resources.filter(isDrifted);
        insHost.run(runId, h.host, h.status, h.error ?? null, h.status === 'unreachable' ? 1 : 0, drifted.length, h.durationMs);
        for (const r of drifted) {
          const { diff, truncated } = storedDiff(r.type, r.changes, r.diff, meta.sensitiveTypes);
          insRes.run(runId, h.host, r.id, r.type, r.name, r.action, JSON.stringify(capChanges(r.changes)), diff, truncated ? 1 : 0);
        }
        latest.run(h.host, h.status, drifted.length, runId, transitions.at);
      }
      const t = transitions;
      const open = db.prepare(
        `INSERT INTO episodes (host, resource, type, name, first_seen, first_run, last_seen, last_run, last_action, last_changes)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const d of t.opened) open.run(d.host, d.resource, d.type, d.name, t.at, runId, t.at, runId, d.action, JSON.stringify(capChanges(d.changes)));
      const touch = db.prepare('UPDATE episodes SET last_seen = ?, last_run = ?, seen_runs = seen_runs + 1, last_action = ?, last_changes = ? WHERE id = ?');
      for (const d of t.ongoing) touch.run(t.at, runId, d.action, JSON.stringify(capChanges(d.changes)), d.episodeId);
      const resolve = db.prepare('UPDATE episodes SET resolved_at = ?, resolved_run = ?, resolution = ? WHERE id = ?');
      for (const r of t.resolved) resolve.run(t.at, runId, r.how, r.episode.id);
      const newIncident = db.prepare('INSERT INTO host_incidents (host, status, error, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)');
      for (const i of t.hostFailed) newIncident.run(i.host, i.status, i.error, t.at, t.at);
      const stillIncident = db.prepare('UPDATE host_incidents SET status = ?, error = ?, last_seen = ? WHERE host = ? AND resolved_at IS NULL');
      for (const i of t.hostStillFailing) stillIncident.run(i.status, i.error, t.at, i.host);
      const endIncident = db.prepare('UPDATE host_incidents SET resolved_at = ? WHERE host = ? AND resolved_at IS NULL');
      for (const i of t.hostRecovered) endIncident.run(t.at, i.host);
      this.bump('runs_total', 1);
      this.bump(`runs_total:${meta.exitCode === 0 ? 'in-sync' : meta.exitCode === 2 ? 'drift' : 'error'}`, 1);
      this.bump('episodes_opened_total', t.opened.length);
      this.bump('episodes_resolved_total', t.resolved.length);
      return { runId, transitions };
    }).immediate();
  }

  setAlertError(runId: number, error: string | null): void {
    this.db.prepare('UPDATE runs SET alert_error = ? WHERE id = ?').run(error, runId);
  }

  private bump(name: string, by: number): void {
    this.db.prepare('INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = value + excluded.value').run(name, by);
  }

  counters(): Map<string, number> {
    const rows = this.db.prepare('SELECT name, value FROM counters').all() as { name: string; value: number }[];
    return new Map(rows.map((r) => [r.name, r.value]));
  }

  /**
   * Delete runs started before `now - days` (their hosts and resources cascade) and resolved
   * episodes and incidents that ended before it. Open episodes are kept whatever their age:
   * "drifted since" must stay answerable.
   */
  prune(days: number, now = new Date()): { runs: number; episodes: number } {
    const cutoff = new Date(now.getTime() - days * 86_400_000).toISOString();
    return this.db.transaction(() => {
      const runs = this.db.prepare('DELETE FROM runs WHERE started_at < ?').run(cutoff).changes;
      this.db.prepare('DELETE FROM run_resources WHERE run_id NOT IN (SELECT id FROM runs)').run();
      const episodes = this.db.prepare('DELETE FROM episodes WHERE resolved_at IS NOT NULL AND resolved_at < ?').run(cutoff).changes;
      this.db.prepare('DELETE FROM host_incidents WHERE resolved_at IS NOT NULL AND resolved_at < ?').run(cutoff);
      return { runs, episodes };
    }).immediate();
  }
}

/** Sensitive modules' diffs are never stored; other diffs are capped. */
export function storedDiff(type: string, changes: { from: unknown; to: unknown }[], diff: string | undefined, sensitiveTypes: ReadonlySet<string>): { diff: string | null; truncated: boolean } {
  if (!diff) return { diff: null, truncated: false };
  const sensitive = sensitiveTypes.has(type) || changes.some((c) => c.from === REDACTED || c.to === REDACTED);
  if (sensitive) return { diff: null, truncated: false };
  if (diff.length <= DIFF_CAP) return { diff, truncated: false };
  return { diff: diff.slice(0, DIFF_CAP), truncated: true };
}

export function capChanges<T extends { from: unknown; to: unknown }>(changes: T[]): T[] {
  const cap = (v: unknown) => (typeof v === 'string' && v.length > VALUE_CAP ? `${v.slice(0, VALUE_CAP)}… (${v.length} chars)` : v);
  return changes.map((c) => ({ ...c, from: cap(c.from), to: cap(c.to) }));
}
