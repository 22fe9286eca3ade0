/**
 * `keel serve` as users run it: the real CLI process on a history with a drifted and a failing
 * host (a SQLite file, then a real PostgreSQL), loaded in Debian's headless Chromium through
 * playwright-core. The pages' rendered text (innerText) shows the drifted host, the failing one
 * with its error, and on /episodes the diff as the history stored it; a full-page screenshot is
 * a PNG of the page's size; the token is wanted on every page but /healthz; /metrics parses as
 * Prometheus text. Only 127.0.0.1 is ever contacted. The load times go to the test output.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgHistory } from '../../src/drift/pg-history.js';
import { SqliteHistory } from '../../src/drift/sqlite-history.js';
import type { History } from '../../src/drift/history-backend.js';
import { drifted, host, inSync, run } from '../../src/drift/test-reports.js';
import { keel } from '../helpers/keel.js';
import { startKeel, type KeelProcess } from '../helpers/keel-process.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { parseProm } from '../helpers/prometheus.js';

const TOKEN = 'serve-test-token-0123456789abcdef';
const DIFF = '--- /etc/nginx/nginx.conf\n+++ /etc/nginx/nginx.conf\n@@ -1,2 +1,2 @@\n-worker_processes 4;\n+worker_processes 64; # <edited by hand>\n events {}\n';
const dir = mkdtempSync(join(tmpdir(), 'keel-serve-'));
let browser: BrowserContext;
let pg: TestPostgres;

beforeAll(async () => {
  pg = await startPostgres();
  process.env.PGPASSWORD = pg.password;
  browser = await chromium.launchPersistentContext(mkdtempSync(join(dir, 'chromium-')), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1200, height: 800 },
    deviceScaleFactor: 1,
  });
});

afterAll(async () => {
  await browser?.close();
  await pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Two drift runs: web1's nginx.conf drifted since the first, app1 unreachable at the second, db1 in sync. */
async function writeHistory(h: History): Promise<void> {
  const meta = { inventory: join(dir, 'inventory.yaml'), tags: [], sensitiveTypes: new Set<string>() };
  const now = Date.now();
  const nginx = () => drifted('file:/etc/nginx/nginx.conf', [{ field: 'content', from: 'sha256:aa', to: 'sha256:bb' }], DIFF);
  await h.recordRun(run(new Date(now - 2 * 3600_000).toISOString(), [host('web1', [nginx(), inSync('package:nginx')]), host('db1', [inSync('package:postgresql')]), host('app1', [inSync('file:/etc/app.conf')])]), { ...meta, exitCode: 2 });
  await h.recordRun(run(new Date(now - 600_000).toISOString(), [host('web1', [nginx(), inSync('package:nginx')]), host('db1', [inSync('package:postgresql')]), host('app1', [], 'unreachable', 'ssh: connect ECONNREFUSED 10.0.0.7:22')]), { ...meta, exitCode: 1 });
  await h.close();
}

/** `keel serve ...` on a free port of 127.0.0.1, once it says where it serves. */
async function serve(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ proc: KeelProcess; url: string }> {
  const proc = startKeel(['serve', '--listen', '127.0.0.1:0', ...args], { env });
  let stderr = '';
  proc.child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  await proc.stderrMatches(/keel serve: http:\/\/127\.0\.0\.1:\d+\/ /);
  return { proc, url: /keel serve: (http:\/\/127\.0\.0\.1:\d+\/) /.exec(stderr)![1] };
}

async function stop(proc: KeelProcess) {
  proc.child.kill('SIGTERM');
  const done = await proc.done;
  expect(done.code).toBe(0);
  expect(done.stderr).toContain('keel serve: SIGTERM: stopped');
}

/** Width and height from a PNG's IHDR chunk (after the 8-byte signature). */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe.each(['sqlite', 'postgres'] as const)('keel serve on a %s history, in headless Chromium', (kind) => {
  let served: { proc: KeelProcess; url: string };

  beforeAll(async () => {
    const location = kind === 'sqlite' ? join(dir, 'history.db') : await pg.database('serve');
    await writeHistory(kind === 'sqlite' ? SqliteHistory.open(location) : await PgHistory.open(location));
    served = await serve(['--history', location], { KEEL_SERVE_TOKEN: TOKEN });
  });

  afterAll(async () => {
    if (served) await stop(served.proc);
  });

  it('shows the drifted host and the failing one; a link leads to the host, /episodes has the diff; the screenshots are PNGs of the page', async () => {
    const page = await browser.newPage();
    await page.setExtraHTTPHeaders({ authorization: `Bearer ${TOKEN}` });
    const t0 = performance.now();
    const res = await page.goto(served.url, { waitUntil: 'load' });
    const wall = performance.now() - t0;
    expect(res!.status()).toBe(200);
    const nav = await page.evaluate(() => JSON.parse(JSON.stringify(performance.getEntriesByType('navigation')[0])) as { responseStart: number; loadEventEnd: number });
    const text = await page.innerText('body');
    expect(text).toMatch(/3\s*hosts\s*1\s*in sync\s*1\s*drifted\s*1\s*failing\s*1\s*open episodes/);
    expect(text).toMatch(/web1\s+drifted since \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ \(2h ago\): 1 resource/);
    expect(text).toMatch(/app1\s+unreachable since .* \(10m ago\)\s*ssh: connect ECONNREFUSED 10\.0\.0\.7:22/);
    expect(text).toMatch(/db1\s+in sync/);
    const shot = await page.screenshot({ fullPage: true });
    const size = await page.evaluate(() => ({ width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight }));
    expect(pngSize(shot)).toEqual(size);
    console.log(`keel serve (${kind}): / loaded in ${wall.toFixed(0)} ms (first byte ${nav.responseStart.toFixed(0)} ms, load event ${nav.loadEventEnd.toFixed(0)} ms), ${res!.headers()['content-length'] ?? '?'} bytes; screenshot ${size.width}x${size.height}, ${shot.length} bytes`);

    await page.click('a[href="/hosts/web1"]');
    expect(page.url()).toBe(`${served.url}hosts/web1`);
    const hostText = await page.innerText('body');
    expect(hostText).toContain('Open drift (1)');
    expect(hostText).toContain('+worker_processes 64; # <edited by hand>');
    expect(hostText).toMatch(/Runs with this host \(last 2\)/);

    const t1 = performance.now();
    await page.goto(`${served.url}episodes`, { waitUntil: 'load' });
    const episodesMs = performance.now() - t1;
    const episodes = await page.innerText('body');
    expect(episodes).toContain('Open drift (1)');
    expect(episodes).toContain('web1 · file:/etc/nginx/nginx.conf');
    expect(episodes).toContain(DIFF.trimEnd());
    // the diff's "<edited by hand>" is text, not an element
    expect(await page.locator('edited').count()).toBe(0);
    const shot2 = await page.screenshot({ fullPage: true });
    expect(pngSize(shot2)).toEqual(await page.evaluate(() => ({ width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight })));
    console.log(`keel serve (${kind}): /episodes loaded in ${episodesMs.toFixed(0)} ms`);
    await page.close();
  });

  it('every page but /healthz wants the token: 401 without it, 200 with it', async () => {
    for (const path of ['', 'episodes', 'hosts/web1', 'metrics']) {
      const without = await fetch(served.url + path);
      expect(without.status, path).toBe(401);
      expect(await without.text()).not.toContain('web1');
      expect((await fetch(served.url + path, { headers: { authorization: 'Bearer wrong' } })).status, path).toBe(401);
      expect((await fetch(served.url + path, { headers: { authorization: `Bearer ${TOKEN}` } })).status, path).toBe(200);
    }
    const health = await fetch(`${served.url}healthz`);
    expect([health.status, await health.text()]).toEqual([200, 'ok\n']);
  });

  it('/metrics is Prometheus text with the hosts and the last run', async () => {
    const res = await fetch(`${served.url}metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const { samples } = parseProm(await res.text());
    const get = (name: string, labels: Record<string, string> = {}) => samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    expect(get('keel_drift_resources', { host: 'web1' })).toBe(1);
    expect(get('keel_drift_open_episodes', { host: 'web1' })).toBe(1);
    expect(get('keel_drift_host_up', { host: 'app1' })).toBe(0);
    expect(get('keel_drift_host_up', { host: 'db1' })).toBe(1);
    expect(get('keel_drift_last_run_exit_code')).toBe(1);
    expect(get('keel_drift_runs_total', { result: 'drift' })).toBe(1);
    expect(get('keel_drift_runs_total', { result: 'error' })).toBe(1);
    expect(get('keel_drift_episodes_opened_total')).toBe(1);
  });
});

describe('keel serve without a token, and its refusals', () => {
  it('on loopback without a token, a history file not written yet is a page that says so', async () => {
    const missing = join(dir, 'not-yet', 'history.db');
    const { proc, url } = await serve(['--history', missing]);
    const page = await browser.newPage();
    try {
      const res = await page.goto(url, { waitUntil: 'load' });
      expect(res!.status()).toBe(200);
      expect(await page.innerText('body')).toContain(`No drift history yet\n\nThere is no history at ${missing} yet. keel drift creates it with its first run`);
    } finally {
      await page.close();
      await stop(proc);
    }
  });

  it('a non-loopback address without a token, a token variable not set, a port taken: one clear error each, no stack trace', async () => {
    const history = join(dir, 'history.db');
    const wide = await keel(['serve', '--listen', '0.0.0.0:0', '--history', history], { env: { KEEL_SERVE_TOKEN: '' } });
    expect(wide.code).toBe(1);
    expect(wide.stderr).toMatch(/^error: --listen 0\.0\.0\.0: not a loopback address, so the dashboard needs a bearer token, and KEEL_SERVE_TOKEN is not set\n {2}hint: export KEEL_SERVE_TOKEN=/);
    const unset = await keel(['serve', '--token-env', 'MY_DASH_TOKEN', '--history', history], { env: { MY_DASH_TOKEN: '' } });
    expect(unset.stderr).toMatch(/^error: --token-env MY_DASH_TOKEN: MY_DASH_TOKEN is not set\n/);
    const taken: Server = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as { port: number }).port;
    const busy = await keel(['serve', '--listen', `127.0.0.1:${port}`, '--history', history]);
    taken.close();
    expect(busy.code).toBe(1);
    expect(busy.stderr).toBe(`error: cannot listen on 127.0.0.1:${port}: the port is taken (another keel serve?)\n  hint: pick another with --listen HOST:PORT\n`);
    for (const r of [wide, unset, busy]) expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
