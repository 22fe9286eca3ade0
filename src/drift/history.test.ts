import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exitCode } from '../engine/exit-code.js';
import type { RunReport } from '../report/types.js';
import { DIFF_CAP, HistoryStore } from './history.js';
import { queryHistory } from './history-query.js';
import { migrate } from './schema.js';
import { drifted, failedRes, host, inSync, run } from './test-reports.js';

const stores: HistoryStore[] = [];
const open = () => {
  const s = HistoryStore.open(':memory:');
  stores.push(s);
  return s;
};
afterEach(() => stores.splice(0).forEach((s) => s.close()));

const record = (s: HistoryStore, r: RunReport, tags: string[] = []) => s.recordRun(r, { inventory: '/inv.yaml', tags, exitCode: exitCode(r), sensitiveTypes: new Set<string>() });

describe('history episodes', () => {
  it('opens an episode on new drift, keeps it while drift lasts, closes it when in sync', () => {
    const s = open();
    const a = 'file:/etc/a';
    const t1 = record(s, run('2026-01-01T10:00:00.000Z', [host('web1', [inSync(a)])])).transitions;
    expect(t1.opened).toEqual([]);
    const t2 = record(s, run('2026-01-01T10:30:00.000Z', [host('web1', [drifted(a)])])).transitions;
    expect(t2.opened.map((d) => d.resource)).toEqual([a]);
    const t3 = record(s, run('2026-01-01T11:00:00.000Z', [host('web1', [drifted(a, [{ field: 'mode', from: '0600', to: '0644' }, { field: 'owner', from: 'x', to: 'root' }])])])).transitions;
    expect(t3.opened).toEqual([]);
    expect(t3.ongoing).toHaveLength(1);
    let v = queryHistory(s, {}, new Date('2026-01-01T11:30:00.000Z'));
    expect(v.episodes).toEqual([
      expect.objectContaining({ host: 'web1', resource: a, status: 'open', firstSeen: '2026-01-01T10:30:01.000Z', lastSeen: '2026-01-01T11:00:01.000Z', resolvedAt: null, seenRuns: 2, durationSeconds: 3599 }),
    ]);
    expect(v.episodes[0].lastChanges.map((c) => c.field)).toEqual(['mode', 'owner']);
    const t4 = record(s, run('2026-01-01T11:30:00.000Z', [host('web1', [inSync(a)])])).transitions;
    expect(t4.resolved.map((r) => [r.episode.resource, r.how])).toEqual([[a, 'fixed']]);
    v = queryHistory(s, {});
    expect(v.episodes[0]).toMatchObject({ status: 'resolved', resolvedAt: '2026-01-01T11:30:01.000Z', resolution: 'fixed', durationSeconds: 3600 });
    // a new drift of the same resource is a new episode
    record(s, run('2026-01-01T12:00:00.000Z', [host('web1', [drifted(a)])]));
    expect(queryHistory(s, {}).episodes.map((e) => e.status)).toEqual(['open', 'resolved']);
    expect(queryHistory(s, { open: true }).episodes).toHaveLength(1);
    expect(queryHistory(s, {}).runs.map((r) => r.exitCode)).toEqual([2, 0, 2, 2, 0]);
  });

  it('leaves episodes alone when a host is unreachable, a resource fails, or hosts are not targeted', () => {
    const s = open();
    const a = 'file:/etc/a';
    const b = 'pkg:nginx';
    record(s, run('2026-01-01T10:00:00.000Z', [host('web1', [drifted(a), drifted(b)]), host('web2', [drifted(a)])]));
    const t = record(s, run('2026-01-01T10:10:00.000Z', [host('web1', [], 'unreachable', 'connect ETIMEDOUT')])).transitions;
    expect(t.resolved).toEqual([]);
    expect(t.hostFailed).toEqual([expect.objectContaining({ host: 'web1', status: 'unreachable', error: 'connect ETIMEDOUT' })]);
    // web2 was not in the run (a --limit): its episode stays open
    expect(queryHistory(s, { open: true }).episodes).toHaveLength(3);
    const t2 = record(s, run('2026-01-01T10:20:00.000Z', [host('web1', [failedRes(a), inSync(b)])])).transitions;
    expect(t2.resolved.map((r) => r.episode.resource)).toEqual([b]); // a failed to probe: unknown, still open
    expect(t2.hostStillFailing.map((i) => i.status)).toEqual(['failed']);
    const t3 = record(s, run('2026-01-01T10:30:00.000Z', [host('web1', [inSync(a), inSync(b)])])).transitions;
    expect(t3.hostRecovered).toEqual([expect.objectContaining({ host: 'web1', since: '2026-01-01T10:10:01.000Z' })]);
    expect(t3.resolved.map((r) => r.episode.resource)).toEqual([a]);
    expect(queryHistory(s, { host: 'web*', open: true }).episodes.map((e) => e.host)).toEqual(['web2']);
    expect(queryHistory(s, {}).incidents).toEqual([
      expect.objectContaining({ host: 'web1', status: 'failed', firstSeen: '2026-01-01T10:10:01.000Z', resolvedAt: '2026-01-01T10:30:01.000Z' }),
    ]);
  });

  it('resolves an episode as removed when the resource is no longer declared (untagged run only)', () => {
    const s = open();
    record(s, run('2026-01-01T10:00:00.000Z', [host('web1', [drifted('file:/a'), drifted('file:/b')])]));
    expect(record(s, run('2026-01-01T10:10:00.000Z', [host('web1', [drifted('file:/a')])]), ['web']).transitions.resolved).toEqual([]);
    const t = record(s, run('2026-01-01T10:20:00.000Z', [host('web1', [drifted('file:/a')])])).transitions;
    expect(t.resolved.map((r) => [r.episode.resource, r.how])).toEqual([['file:/b', 'removed']]);
  });

  it('filters by resource and time window', () => {
    const s = open();
    record(s, run('2026-01-01T10:00:00.000Z', [host('web1', [drifted('file:/etc/a'), drifted('pkg:nginx')])]));
    record(s, run('2026-01-02T10:00:00.000Z', [host('web1', [inSync('file:/etc/a'), drifted('pkg:nginx')])]));
    expect(queryHistory(s, { resource: 'file:/etc/*' }).episodes.map((e) => e.resource)).toEqual(['file:/etc/a']);
    expect(queryHistory(s, { resource: 'nginx' }).episodes.map((e) => e.resource)).toEqual(['pkg:nginx']);
    // fixed before the window: not listed; still open: listed
    expect(queryHistory(s, { since: '2026-01-03T00:00:00.000Z' }).episodes.map((e) => e.resource)).toEqual(['pkg:nginx']);
    expect(queryHistory(s, { until: '2025-12-31T00:00:00.000Z' }).episodes).toEqual([]);
  });

  it('never stores a diff of a sensitive resource, and caps other diffs', () => {
    const s = open();
    const big = '+x\n'.repeat(DIFF_CAP);
    const secret = drifted('postgres_role:app', [{ field: 'password', from: '(sensitive)', to: '(sensitive)' }], '-old\n+new\n');
    record(s, run('2026-01-01T10:00:00.000Z', [host('db1', [secret, drifted('file:/big', undefined, big)])]));
    const rows = s.db.prepare('SELECT resource, diff, diff_truncated AS cut, changes FROM run_resources ORDER BY resource').all() as { resource: string; diff: string | null; cut: number; changes: string }[];
    expect(rows[0]).toMatchObject({ resource: 'file:/big', cut: 1 });
    expect(rows[0].diff!.length).toBe(DIFF_CAP);
    expect(rows[1]).toMatchObject({ resource: 'postgres_role:app', diff: null });
    expect(rows[1].changes).not.toContain('new');
  });

  it('prunes old runs but keeps open episodes; migrations run once on a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-hist-'));
    try {
      const path = join(dir, 'history.db');
      const s = HistoryStore.open(path);
      record(s, run('2026-01-01T10:00:00.000Z', [host('web1', [drifted('file:/a'), drifted('file:/b')])]));
      record(s, run('2026-01-02T10:00:00.000Z', [host('web1', [drifted('file:/a'), inSync('file:/b')])]));
      record(s, run('2026-03-01T10:00:00.000Z', [host('web1', [drifted('file:/a'), inSync('file:/b')])]));
      s.close();
      const again = HistoryStore.open(path);
      expect(again.db.prepare('SELECT version FROM schema_version').all()).toEqual([{ version: 1 }]);
      expect(again.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(again.prune(30, new Date('2026-03-02T00:00:00.000Z'))).toEqual({ runs: 2, episodes: 1 });
      const v = queryHistory(again, {});
      expect(v.runs).toHaveLength(1);
      expect(v.episodes.map((e) => [e.resource, e.status, e.firstSeen])).toEqual([['file:/a', 'open', '2026-01-01T10:00:01.000Z']]);
      again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a database written by a newer keel', () => {
    const s = open();
    s.db.prepare('UPDATE schema_version SET version = 99').run();
    expect(() => migrate(s.db)).toThrow('history database schema 99 is newer than this keel understands (1)');
  });
});

describe('history files', () => {
  it('are owner-only: state dir 0700, database and its WAL 0600, and older ones are tightened', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-hist-'));
    try {
      const state = join(dir, 'state');
      const db = join(state, 'history.db');
      const mode = (p: string) => statSync(p).mode & 0o777;
      const s = HistoryStore.open(db);
      record(s, run('2026-01-01T10:00:00.000Z', [host('web1', [drifted('file:/etc/shadow')])]));
      expect([mode(state), mode(db), mode(`${db}-wal`)]).toEqual([0o700, 0o600, 0o600]);
      s.close();
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
