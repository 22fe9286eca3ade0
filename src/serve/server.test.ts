import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseProm } from '../../test/helpers/prometheus.js';
import { SqliteHistory } from '../drift/sqlite-history.js';
import { drifted, host, inSync, run } from '../drift/test-reports.js';
import { HistorySource } from './history-source.js';
import { buildServer } from './server.js';

const meta = { inventory: '/i', tags: [], exitCode: 2, sensitiveTypes: new Set<string>() };
const opened: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const o of opened.splice(0)) await o.close();
});

async function serve(path: string, token?: string) {
  const source = await HistorySource.open({ kind: 'sqlite', path });
  const app = buildServer({ source, token });
  opened.push(app, source);
  return app;
}

async function record(path: string) {
  const h = SqliteHistory.open(path);
  await h.recordRun(run('2026-01-01T10:00:00.000Z', [host('web1', [drifted('file:/etc/motd', undefined, '--- a\n+++ b\n@@ -1 +1 @@\n-a\n+b\n')]), host('db1', [inSync('pkg:x')])]), meta);
  await h.close();
}

const fresh = () => join(mkdtempSync(join(tmpdir(), 'keel-serve-')), 'history.db');

describe('keel serve routes', () => {
  it('before the history file exists: pages say so, /metrics has no last run; once keel drift writes it, the next request shows it', async () => {
    const path = fresh();
    const app = await serve(path);
    const home = await app.inject('/');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('No drift history yet');
    const m = parseProm((await app.inject('/metrics')).body);
    expect(m.samples.filter((s) => s.name.startsWith('keel_drift_last_run_'))).toEqual([]);
    expect(m.samples.find((s) => s.name === 'keel_drift_runs_total')?.value).toBe(0);
    await record(path);
    expect((await app.inject('/')).body).toContain('<a href="/hosts/web1">web1</a>');
    expect(parseProm((await app.inject('/metrics')).body).samples.find((s) => s.name === 'keel_drift_last_run_exit_code')?.value).toBe(2);
  });

  it('a host page, an unknown host (a glob in the name matches nothing else), a write method', async () => {
    const path = fresh();
    await record(path);
    const app = await serve(path);
    const web1 = await app.inject('/hosts/web1');
    expect(web1.statusCode).toBe(200);
    expect(web1.body).toContain('<span class="add">+b</span>');
    expect((await app.inject('/hosts/web*')).statusCode).toBe(404);
    expect((await app.inject('/hosts/nope')).body).toContain('no run of a host named <code>nope</code>');
    expect((await app.inject({ method: 'POST', url: '/' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: '/episodes' })).statusCode).toBe(404);
    expect(web1.headers['content-security-policy']).toContain("default-src 'none'");
  });

  it('with a token: 401 without it or with another, 200 with it; /healthz needs none', async () => {
    const path = fresh();
    await record(path);
    const app = await serve(path, 'tok-123456');
    for (const url of ['/', '/episodes', '/hosts/web1', '/metrics']) {
      const none = await app.inject(url);
      expect(none.statusCode, url).toBe(401);
      expect(none.headers['www-authenticate']).toBe('Bearer realm="keel"');
      expect(none.body).not.toContain('web1');
      expect((await app.inject({ url, headers: { authorization: 'Bearer tok-12345' } })).statusCode, url).toBe(401);
      expect((await app.inject({ url, headers: { authorization: 'Bearer tok-123456' } })).statusCode, url).toBe(200);
    }
    const health = await app.inject('/healthz');
    expect([health.statusCode, health.body]).toEqual([200, 'ok\n']);
  });
});
