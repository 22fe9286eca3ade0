import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '../../test/helpers/postgres.js';
import { exitCode } from '../engine/exit-code.js';
import type { RunReport } from '../report/types.js';
import type { History } from './history-backend.js';
import { DIFF_CAP, HistoryStore } from './history.js';
import { queryHistory } from './history-query.js';
import { PgHistory } from './pg-history.js';
import { migrate } from './schema.js';
import { SqliteHistory } from './sqlite-history.js';
import { drifted, failedRes, host, inSync, run } from './test-reports.js';

// Every behaviour of the history is asserted on both backends: the SQLite file and a real
// PostgreSQL server (Debian's, started here on loopback), each test in a database of its own.
const BACKENDS = ['sqlite', 'postgres'] as const;
let server: TestPostgres;
let databases = 0;
const opened: History[] = [];
beforeAll(async () => {
  server = await startPostgres();
  process.env.PGPASSWORD = server.password;
});
afterEach(async () => {
  for (const h of opened.splice(0)) await h.close();
});
afterAll(async () => {
  await server?.stop();
});

async function openBackend(kind: (typeof BACKENDS)[number]): Promise<History> {
  const h = kind === 'sqlite' ? SqliteHistory.open(':memory:') : await PgHistory.open(await server.database(`t${++databases}`));
  opened.push(h);
  return h;
}

const record = (s: History, r: RunReport, tags: string[] = []) => s.recordRun(r, { inventory: '/inv.yaml', tags, exitCode: exitCode(r), sensitiveTypes: new Set<string>() });

describe.each(BACKENDS)('history episodes (%s)', (backend) => {
  it('opens an episode on new drift, keeps it while drift lasts, closes it when in sync', async () => {
    const s = await openBackend(backend);
    const a = 'file:/etc/a';
    const t1 = (await record(s, run('2026-01-01T10:00:00.000Z', [host('web1', [inSync(a)])]))).transitions;
    expect(t1.opened).toEqual([]);
    const t2 = (await record(s, run('2026-01-01T10:30:00.000Z', [host('web1', [drifted(a)])]))).transitions;
    expect(t2.opened.map((d) => d.resource)).toEqual([a]);
    const t3 = (await record(s, run('2026-01-01T11:00:00.000Z', [host('web1', [drifted(a, [{ field: 'mode', from: '0600', to: '0644' }, { field: 'owner', from: 'x', to: 'root' }])])]))).transitions;
    expect(t3.opened).toEqual([]);
    expect(t3.ongoing).toHaveLength(1);
    let v = await s.query({}, new Date('2026-01-01T11:30:00.000Z'));
    expect(v.episodes).toEqual([
      expect.objectContaining({ host: 'web1', resource: a, status: 'open', firstSeen: '2026-01-01T10:30:01.000Z', lastSeen: '2026-01-01T11:00:01.000Z', resolvedAt: null, seenRuns: 2, durationSeconds: 3599 }),
    ]);
    expect(v.episodes[0].lastChanges.map((c) => c.field)).toEqual(['mode', 'owner']);
    const t4 = (await record(s, run('2026-01-01T11:30:00.000Z', [host('web1', [inSync(a)])]))).transitions;
    expect(t4.resolved.map((r) => [r.episode.resource, r.how])).toEqual([[a, 'fixed']]);
    v = await s.query({});
    expect(v.episodes[0]).toMatchObject({ status: 'resolved', resolvedAt: '2026-01-01T11:30:01.000Z', resolution: 'fixed', durationSeconds: 3600 });
    // a new drift of the same resource is a new episode
    await record(s, run('2026-01-01T12:00:00.000Z', [host('web1', [drifted(a)])]));
    v = await s.query({});
    expect(v.episodes.map((e) => e.status)).toEqual(['open', 'resolved']);
    expect(v.runs.map((r) => r.exitCode)).toEqual([2, 0, 2, 2, 0]);
    expect((await s.query({ open: true })).episodes).toHaveLength(1);
    expect(await s.counters()).toEqual(new Map([['runs_total', 5], ['runs_total:in-sync', 2], ['runs_total:drift', 3], ['episodes_opened_total', 2], ['episodes_resolved_total', 1]]));
  });

  it('leaves episodes alone when a host is unreachable, a resource fails, or hosts are not targeted', async () => {
    const s = await openBackend(backend);
    const a = 'file:/etc/a';
    const b = 'pkg:nginx';
    await record(s, run('2026-01-01T10:00:00.000Z', [host('web1', [drifted(a), drifted(b)]), host('web2', [drifted(a)])]));
    const t = (await record(s, run('2026-01-01T10:10:00.000Z', [host('web1', [], 'unreachable', 'connect ETIMEDOUT')]))).transitions;
    expect(t.resolved).toEqual([]);
    expect(t.hostFailed).toEqual([expect.objectContaining({ host: 'web1', status: 'unreachable', error: 'connect ETIMEDOUT' })]);
    // web2 was not in the run (a --limit): its episode stays open
    expect((await s.query({ open: true })).episodes).toHaveLength(3);
    expect((await s.hosts()).map((h) => [h.host, h.status, h.openEpisodes, h.driftedSince, h.failingSince, h.error])).toEqual([
      ['web1', 'unreachable', 2, '2026-01-01T10:00:01.000Z', '2026-01-01T10:10:01.000Z', 'connect ETIMEDOUT'],
      ['web2', 'drift', 1, '2026-01-01T10:00:01.000Z', null, null],
    ]);
    const t2 = (await record(s, run('2026-01-01T10:20:00.000Z', [host('web1', [failedRes(a), inSync(b)])]))).transitions;
    expect(t2.resolved.map((r) => r.episode.resource)).toEqual([b]); // a failed to probe: unknown, still open
    expect(t2.hostStillFailing.map((i) => i.status)).toEqual(['failed']);
    const t3 = (await record(s, run('2026-01-01T10:30:00.000Z', [host('web1', [inSync(a), inSync(b)])]))).transitions;
    expect(t3.hostRecovered).toEqual([expect.objectContaining({ host: 'web1', since: '2026-01-01T10:10:01.000Z' })]);
    expect(t3.resolved.map((r) => r.episode.resource)).toEqual([a]);
    expect((await s.query({ host: 'web*', open: true })).episodes.map((e) => e.host)).toEqual(['web2']);
    expect((await s.query({ host: 'web[^2]' })).runs).toHaveLength(4);
    expect((await s.query({})).incidents).toEqual([
      expect.objectContaining({ host: 'web1', status: 'failed', firstSeen: '2026-01-01T10:10:01.000Z', resolvedAt: '2026-01-01T10:30:01.000Z' }),
    ]);
  });

  it('resolves an episode as removed when the resource is no longer declared (untagged run only)', async () => {
    const s = await openBackend(backend);
    await record(s, run('2026-01-01T10:00:00.000Z', [host('web1', [drifted('file:/a'), drifted('file:/b')])]));
    expect((await record(s, run('2026-01-01T10:10:00.000Z', [host('web1', [drifted('file:/a')])]), ['web'])).transitions.resolved).toEqual([]);
    const t = (await record(s, run('2026-01-01T10:20:00.000Z', [host('web1', [drifted('file:/a')])]))).transitions;
    expect(t.resolved.map((r) => [r.episode.resource, r.how])).toEqual([['file:/b', 'removed']]);
  });

  it('filters by resource (glob, id or part of it) and time window', async () => {
    const s = await openBackend(backend);
    await record(s, run('2026-01-01T10:00:00.000Z', [host('web1', [drifted('file:/etc/a'), drifted('pkg:nginx'), drifted('file:/etc.d/x')])]));
    await record(s, run('2026-01-02T10:00:00.000Z', [host('web1', [inSync('file:/etc/a'), drifted('pkg:nginx'), inSync('file:/etc.d/x')])]));
    expect((await s.query({ resource: 'file:/etc/*' })).episodes.map((e) => e.resource)).toEqual(['file:/etc/a']);
    expect((await s.query({ resource: 'file:/etc?d/*' })).episodes.map((e) => e.resource)).toEqual(['file:/etc.d/x']);
    expect((await s.query({ resource: 'nginx' })).episodes.map((e) => e.resource)).toEqual(['pkg:nginx']);
    // fixed before the window: not listed; still open: listed
    expect((await s.query({ since: '2026-01-03T00:00:00.000Z' })).episodes.map((e) => e.resource)).toEqual(['pkg:nginx']);
    expect((await s.query({ until: '2025-12-31T00:00:00.000Z' })).episodes).toEqual([]);
  });

  it('never stores a diff of a sensitive resource, and caps other diffs', async () => {
    const s = await openBackend(backend);
    const big = '+x\n'.repeat(DIFF_CAP);
    const secret = drifted('postgres_role:app', [{ field: 'password', from: '(sensitive)', to: '(sensitive)' }], '-old\n+new\n');
    await record(s, run('2026-01-01T10:00:00.000Z', [host('db1', [secret, drifted('file:/big', undefined, big)])]));
    const episodes = (await s.query({})).episodes.sort((x, y) => x.resource.localeCompare(y.resource));
    expect(episodes.map((e) => [e.resource, e.lastDiff?.length ?? null])).toEqual([['file:/big', DIFF_CAP], ['postgres_role:app', null]]);
    expect(JSON.stringify(episodes[1].lastChanges)).not.toContain('new');
  });

  it('prunes old runs but keeps open episodes', async () => {
    const s = await openBackend(backend);
    await record(s, run('2026-01-01T10:00:00.000Z', [host('web1', [drifted('file:/a'), drifted('file:/b')])]));
    await record(s, run('2026-01-02T10:00:00.000Z', [host('web1', [drifted('file:/a'), inSync('file:/b')])]));
    await record(s, run('2026-03-01T10:00:00.000Z', [host('web1', [drifted('file:/a'), inSync('file:/b')])]));
    expect(await s.prune(30, new Date('2026-03-02T00:00:00.000Z'))).toEqual({ runs: 2, episodes: 1 });
    const v = await s.query({});
    expect(v.runs).toHaveLength(1);
    expect(v.episodes.map((e) => [e.resource, e.status, e.firstSeen])).toEqual([['file:/a', 'open', '2026-01-01T10:00:01.000Z']]);
  });
});

describe('history in PostgreSQL', () => {
  it('two controllers recording at once keep one open episode per host and resource', async () => {
    const url = await server.database('concurrent');
    const [a, b] = await Promise.all([PgHistory.open(url), PgHistory.open(url)]); // both migrate: once
    opened.push(a, b);
    const runs = Array.from({ length: 20 }, (_, i) => run(new Date(Date.UTC(2026, 0, 1, 10, i)).toISOString(), [host(`web${i % 4}`, [drifted('file:/a'), i % 2 ? inSync('file:/b') : drifted('file:/b')])]));
    await Promise.all(runs.map((r, i) => record(i % 2 ? a : b, r)));
    const v = await a.query({ runs: 100 });
    expect(v.runs).toHaveLength(20);
    const open = v.episodes.filter((e) => e.status === 'open').map((e) => `${e.host} ${e.resource}`);
    expect(new Set(open).size).toBe(open.length);
    expect(open.filter((e) => e.endsWith('file:/a')).sort()).toEqual(['web0 file:/a', 'web1 file:/a', 'web2 file:/a', 'web3 file:/a']);
    // every episode's runs add up to the runs that saw its resource drift
    const counters = await b.counters();
    expect(counters.get('runs_total')).toBe(20);
    expect(counters.get('episodes_opened_total')! - counters.get('episodes_resolved_total')!).toBe(open.length);
    const version = await a.pool.query('SELECT version FROM schema_version');
    expect(version.rows).toEqual([{ version: expect.any(Number) }]);
  });

  it('refuses a database migrated by a newer keel, and a wrong password, with one clear message', async () => {
    const url = await server.database('newer');
    const h = await PgHistory.open(url);
    await h.pool.query('UPDATE schema_version SET version = 99');
    await h.close();
    await expect(PgHistory.open(url)).rejects.toThrow(/history database schema 99 is newer than this keel understands \(\d+\): upgrade keel/);
    process.env.PGPASSWORD = 'wrong';
    try {
      await expect(PgHistory.open(url)).rejects.toThrow(`cannot open history ${url}: password authentication failed for user "keel"`);
    } finally {
      process.env.PGPASSWORD = server.password;
    }
  });
});

describe('the SQLite file', () => {
  it('migrates once, in WAL mode', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-hist-'));
    try {
      const path = join(dir, 'history.db');
      HistoryStore.open(path).close();
      const again = HistoryStore.open(path);
      expect(again.db.prepare('SELECT version FROM schema_version').all()).toEqual([{ version: 1 }]);
      expect(again.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(queryHistory(again, {}).runs).toEqual([]);
      again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a database written by a newer keel', () => {
    const s = HistoryStore.open(':memory:');
    s.db.prepare('UPDATE schema_version SET version = 99').run();
    expect(() => migrate(s.db)).toThrow('history database schema 99 is newer than this keel understands (1)');
    s.close();
  });

  it('is owner-only: state dir 0700, database and its WAL 0600, and older ones are tightened', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-hist-'));
    try {
      const state = join(dir, 'state');
      const db = join(state, 'history.db');
      const mode = (p: string) => statSync(p).mode & 0o777;
      const s = SqliteHistory.open(db);
      await record(s, run('2026-01-01T10:00:00.000Z', [host('web1', [drifted('file:/etc/shadow')])]));
      expect([mode(state), mode(db), mode(`${db}-wal`)]).toEqual([0o700, 0o600, 0o600]);
      await s.close();
      chmodSync(state, 0o755);
      chmodSync(db, 0o644);
      if (existsSync(`${db}-wal`)) chmodSync(`${db}-wal`, 0o644);
      HistoryStore.open(db).close();
      expect([mode(state), mode(db)]).toEqual([0o700, 0o600]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
