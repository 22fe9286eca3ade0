/**
 * The drift history in PostgreSQL, shared by every controller and worker that points at it.
 * Recording a run is one transaction under an advisory lock: the previous state that the run's
 * transitions are computed from is the one the transaction writes over, so two controllers
 * recording at once keep episodes consistent (and the unique index of an open episode per host
 * and resource holds even against a writer that skipped the lock).
 */
import { hostname } from 'node:os';
import pg from 'pg';
import { KeelError } from '../errors.js';
import type { RunReport } from '../report/types.js';
import type { History, HostState } from './history-backend.js';
import { episodeView, historyStatements, HOSTS_SQL, hostState, incidentView, runView, type Dialect, type HistoryFilter, type HistoryView, type Statement } from './history-query.js';
import { capChanges, storedDiff, type RunMeta } from './history.js';
import { LOCK_RECORD, PG_MIGRATIONS, PG_SCHEMA, pgMigrate } from './pg-schema.js';
import { computeTransitions, isDrifted, type HostIncident, type OpenEpisode, type Transitions } from './transitions.js';

/** A glob (`web*`, `file:/etc/?`, `[ab]*`) as an anchored POSIX regular expression. */
export function globToRegex(glob: string): string {
  let out = '^';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) out += '\\[';
      else {
        const body = glob.slice(i + 1, end);
        out += `[${body.startsWith('^') || body.startsWith('!') ? '^' + body.slice(1) : body}]`;
        i = end;
      }
    } else out += /[\\^$.|+(){}]/.test(c) ? `\\${c}` : c;
  }
  return out + '$';
}

export const POSTGRES: Dialect = { glob: (c) => `${c} ~ ?`, globArg: globToRegex, contains: (c) => `strpos(${c}, ?) > 0` };

/** `?` placeholders as PostgreSQL's `$1, $2, ...` (the statements carry no other `?`). */
export const numbered = (sql: string) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

/** A URL as it may be shown: without its password. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

export type Queryable = pg.Pool | pg.PoolClient;

export class PgHistory implements History {
  readonly location: string;
  readonly pool: pg.Pool;

  private constructor(pool: pg.Pool, url: string) {
    this.pool = pool;
    this.location = safeUrl(url);
  }

  /** Connect, and create or migrate the schema (the queue's tables with it). */
  static async open(url: string, opts: { max?: number; migrations?: string[] } = {}): Promise<PgHistory> {
    const pool = new pg.Pool({ connectionString: url, options: `-c search_path=${PG_SCHEMA}`, max: opts.max ?? 4, connectionTimeoutMillis: 10_000 });
    pool.on('error', () => undefined); // an idle client's lost connection: the next query reports it
    const history = new PgHistory(pool, url);
    try {
      const client = await pool.connect();
      try {
        await pgMigrate(client, opts.migrations ?? PG_MIGRATIONS);
      } finally {
        client.release();
      }
    } catch (e) {
      await pool.end().catch(() => undefined);
      if (e instanceof KeelError) throw e;
      throw new KeelError('E_HISTORY', `cannot open history ${history.location}: ${(e as Error).message}`, {
        cause: e,
        hint: 'is PostgreSQL running there? The password comes from PGPASSWORD or ~/.pgpass, never from the URL on the command line',
      });
    }
    return history;
  }

  /** Run `fn` in one transaction on one connection of the pool. */
  async transaction<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    // a checked-out client has no pool listener: a connection lost now must not crash the process
    let lost: Error | undefined;
    const onError = (e: Error) => (lost = e);
    c.on('error', onError);
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      lost ??= e as Error;
      throw e;
    } finally {
      c.off('error', onError);
      // a client whose transaction failed is thrown away rather than given to the next caller
      c.release(lost);
    }
  }

  async recordRun(report: RunReport, meta: RunMeta): Promise<{ runId: number; transitions: Transitions }> {
    return this.transaction((c) => recordRunIn(c, report, meta));
  }

  async setAlertError(runId: number, error: string | null): Promise<void> {
    await this.pool.query('UPDATE runs SET alert_error = $1 WHERE id = $2', [error, runId]);
  }

  async prune(days: number, now = new Date()): Promise<{ runs: number; episodes: number }> {
    const cutoff = new Date(now.getTime() - days * 86_400_000).toISOString();
    return this.transaction(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [LOCK_RECORD]);
      const runs = (await c.query('DELETE FROM runs WHERE started_at < $1', [cutoff])).rowCount ?? 0;
      const episodes = (await c.query('DELETE FROM episodes WHERE resolved_at IS NOT NULL AND resolved_at < $1', [cutoff])).rowCount ?? 0;
      await c.query('DELETE FROM host_incidents WHERE resolved_at IS NOT NULL AND resolved_at < $1', [cutoff]);
      // the queue's finished runs, with their jobs and reports (migration 2)
      await c.query('DELETE FROM queue_runs WHERE finished_at IS NOT NULL AND finished_at < $1', [cutoff]);
      return { runs, episodes };
    });
  }

  async query(f: HistoryFilter, now = new Date()): Promise<HistoryView> {
    const q = historyStatements(f, POSTGRES);
    const all = async (s: Statement) => (await this.pool.query(numbered(s.sql), s.args)).rows as Record<string, unknown>[];
    const [episodes, incidents, runs] = await Promise.all([all(q.episodes), q.incidents ? all(q.incidents) : [], all(q.runs)]);
    return { episodes: episodes.map((r) => episodeView(r, now)), incidents: incidents.map(incidentView), runs: runs.map(runView) };
  }

  async hosts(): Promise<HostState[]> {
    return (await this.pool.query(HOSTS_SQL)).rows.map(hostState);
  }

  async counters(): Promise<Map<string, number>> {
    const rows = (await this.pool.query('SELECT name, value FROM counters')).rows as { name: string; value: string }[];
    return new Map(rows.map((r) => [r.name, Number(r.value)]));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** Record one run inside the caller's transaction (a worker finishing an enqueued run uses it too). */
export async function recordRunIn(c: pg.PoolClient, report: RunReport, meta: RunMeta): Promise<{ runId: number; transitions: Transitions }> {
  await c.query('SELECT pg_advisory_xact_lock($1)', [LOCK_RECORD]);
  const episodes = (await c.query('SELECT id, host, resource, type, name, first_seen FROM episodes WHERE resolved_at IS NULL ORDER BY id')).rows.map(
    (r): OpenEpisode => ({ id: r.id, host: r.host, resource: r.resource, type: r.type, name: r.name, firstSeen: r.first_seen.toISOString() }),
  );
  const incidents = (await c.query('SELECT host, status, error, first_seen FROM host_incidents WHERE resolved_at IS NULL ORDER BY id')).rows.map(
    (r): HostIncident => ({ host: r.host, status: r.status, error: r.error, since: r.first_seen.toISOString() }),
  );
  const t = computeTransitions({ episodes, incidents }, report, meta.tags);
  const s = report.summary;
  const runId = (
    await c.query(
      `INSERT INTO runs (started_at, duration_ms, inventory, host_limit, tags, exit_code, hosts, drifted, failed, unreachable, summary, controller)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
      [report.startedAt, report.durationMs, meta.inventory, meta.limit ?? null, meta.tags.length ? meta.tags.join(',') : null, meta.exitCode, s.hosts, s.drifted, s.failed, s.unreachable, JSON.stringify(s), hostname()],
    )
  ).rows[0].id as number;
  for (const h of report.hosts) {
    const drifted = h.resources.filter(isDrifted);
    await c.query('INSERT INTO run_hosts (run_id, host, status, error, unreachable, drifted, duration_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      runId, h.host, h.status, h.error ?? null, h.status === 'unreachable' ? 1 : 0, drifted.length, h.durationMs,
    ]);
    for (const r of drifted) {
      const { diff, truncated } = storedDiff(r.type, r.changes, r.diff, meta.sensitiveTypes);
      await c.query('INSERT INTO run_resources (run_id, host, resource, type, name, action, changes, diff, diff_truncated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)', [
        runId, h.host, r.id, r.type, r.name, r.action, JSON.stringify(capChanges(r.changes)), diff, truncated,
      ]);
    }
    await c.query(
      `INSERT INTO host_latest (host, status, drifted, run_id, at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (host) DO UPDATE SET status = excluded.status, drifted = excluded.drifted, run_id = excluded.run_id, at = excluded.at`,
      [h.host, h.status, drifted.length, runId, t.at],
    );
  }
  for (const d of t.opened) {
    await c.query(
      `INSERT INTO episodes (host, resource, type, name, first_seen, first_run, last_seen, last_run, last_action, last_changes)
       VALUES ($1, $2, $3, $4, $5, $6, $5, $6, $7, $8)`,
      [d.host, d.resource, d.type, d.name, t.at, runId, d.action, JSON.stringify(capChanges(d.changes))],
    );
  }
  for (const d of t.ongoing) {
    await c.query('UPDATE episodes SET last_seen = $1, last_run = $2, seen_runs = seen_runs + 1, last_action = $3, last_changes = $4 WHERE id = $5', [t.at, runId, d.action, JSON.stringify(capChanges(d.changes)), d.episodeId]);
  }
  for (const r of t.resolved) await c.query('UPDATE episodes SET resolved_at = $1, resolved_run = $2, resolution = $3 WHERE id = $4', [t.at, runId, r.how, r.episode.id]);
  for (const i of t.hostFailed) await c.query('INSERT INTO host_incidents (host, status, error, first_seen, last_seen) VALUES ($1, $2, $3, $4, $4)', [i.host, i.status, i.error, t.at]);
  for (const i of t.hostStillFailing) await c.query('UPDATE host_incidents SET status = $1, error = $2, last_seen = $3 WHERE host = $4 AND resolved_at IS NULL', [i.status, i.error, t.at, i.host]);
  for (const i of t.hostRecovered) await c.query('UPDATE host_incidents SET resolved_at = $1 WHERE host = $2 AND resolved_at IS NULL', [t.at, i.host]);
  const bump = (name: string, by: number) => c.query('INSERT INTO counters (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = counters.value + excluded.value', [name, by]);
  await bump('runs_total', 1);
  await bump(`runs_total:${meta.exitCode === 0 ? 'in-sync' : meta.exitCode === 2 ? 'drift' : 'error'}`, 1);
  await bump('episodes_opened_total', t.opened.length);
  await bump('episodes_resolved_total', t.resolved.length);
  return { runId, transitions: t };
}
