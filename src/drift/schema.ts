/**
 * The history database's schema, as numbered migrations applied in order inside one transaction.
 * A migration is only ever appended: a database written by an older keel is upgraded in place; one
 * written by a newer keel is refused rather than misread.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { KeelError } from '../errors.js';

export const MIGRATIONS: string[] = [
  // 1: runs, per-host results, drifted resources, drift episodes, host incidents, counters
  `
  CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    inventory TEXT NOT NULL,
    host_limit TEXT,
    tags TEXT,
    exit_code INTEGER NOT NULL,
    hosts INTEGER NOT NULL,
    drifted INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    unreachable INTEGER NOT NULL,
    summary TEXT NOT NULL,
    alert_error TEXT
  );
  CREATE INDEX runs_started ON runs(started_at);
  CREATE TABLE run_hosts (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    host TEXT NOT NULL,
    status TEXT NOT NULL,
    error TEXT,
    unreachable INTEGER NOT NULL,
    drifted INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    PRIMARY KEY (run_id, host)
  );
  CREATE INDEX run_hosts_host ON run_hosts(host, run_id);
  CREATE TABLE run_resources (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    host TEXT NOT NULL,
    resource TEXT NOT NULL,
    type TEXT NOT NULL,
    name TEXT NOT NULL,
    action TEXT NOT NULL,
    changes TEXT NOT NULL,
    diff TEXT,
    diff_truncated INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, host, resource)
  );
  CREATE TABLE episodes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    host TEXT NOT NULL,
    resource TEXT NOT NULL,
    type TEXT NOT NULL,
    name TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    first_run INTEGER NOT NULL,
    last_seen TEXT NOT NULL,
    last_run INTEGER NOT NULL,
    seen_runs INTEGER NOT NULL DEFAULT 1,
    last_action TEXT NOT NULL,
    last_changes TEXT NOT NULL,
    resolved_at TEXT,
    resolved_run INTEGER,
    resolution TEXT
  );
  CREATE UNIQUE INDEX episodes_one_open ON episodes(host, resource) WHERE resolved_at IS NULL;
  CREATE INDEX episodes_host_time ON episodes(host, first_seen);
  CREATE INDEX episodes_resolved ON episodes(resolved_at);
  CREATE TABLE host_incidents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    host TEXT NOT NULL,
    status TEXT NOT NULL,
    error TEXT,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    resolved_at TEXT
  );
  CREATE UNIQUE INDEX host_incidents_one_open ON host_incidents(host) WHERE resolved_at IS NULL;
  CREATE TABLE host_latest (
    host TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    drifted INTEGER NOT NULL,
    run_id INTEGER NOT NULL,
    at TEXT NOT NULL
  );
  CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
  `,
];

export function migrate(db: BetterSqlite3.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  db.transaction(() => {
    const row = db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
    const current = row?.version ?? 0;
    if (current > MIGRATIONS.length) {
      throw new KeelError('E_HISTORY', `history database schema ${current} is newer than this keel understands (${MIGRATIONS.length}): upgrade keel`);
    }
    for (let v = current; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]);
    if (!row) db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(MIGRATIONS.length);
    else if (current !== MIGRATIONS.length) db.prepare('UPDATE schema_version SET version = ?').run(MIGRATIONS.length);
  }).immediate();
}
