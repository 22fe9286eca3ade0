/**
 * keel drift against a real lab host (lab3): the same report and exit codes as plan, a history
 * that answers "since when and when fixed", alerts only on transitions (a real HTTP webhook and a
 * command hook), a Prometheus file that parses, a StatsD packet, and two overlapping runs.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { keel, keelJson } from '../helpers/keel.js';
import { labHosts, labSkip } from '../lab/lab-env.js';
import { labProject, onHost, type LabProject } from '../lab-ssh/lab-inventory.js';
import type { LabTestHost } from '../lab/global-setup.js';
import { startStatsd, startWebhook, validateAlert, type StatsdListener, type Webhook } from './helpers.js';

describe.skipIf(!!labSkip)('keel drift on lab3', () => {
  const root = `/srv/keel-drift-${randomBytes(3).toString('hex')}`;
  let h: LabTestHost;
  let p: LabProject;
  let hook: Webhook;
  let statsd: StatsdListener;

  beforeAll(async () => {
    h = labHosts().find((x) => x.name === 'lab3')!;
    hook = await startWebhook();
    statsd = await startStatsd();
    p = labProject([h], { lab3: { address: h.address, states: ['motd'] }, ghost: { address: '127.0.0.1', port: 1, states: ['motd'] } });
    const inv = { ...(await import('yaml')).parse(readFileSync(p.inventory, 'utf8')) };
    inv.drift = { webhook: { url: hook.url, timeout: 5 }, command: `cat > ${join(p.dir, 'hook.json')}`, metrics_file: 'metrics/keel.prom', statsd: statsd.address, retention_days: 30 };
    writeFileSync(p.inventory, stringify(inv));
    p.writeState('motd', `resources:\n  - directory: ${root}\n  - file: ${root}/motd\n    content: "hello from keel\\n"\n    mode: "0644"\n`);
    const c = await keel(['converge', '-i', p.inventory, '-l', 'lab3']);
    expect(c.code, c.stdout + c.stderr).toBe(0);
  });

  afterAll(async () => {
    await hook?.close();
    statsd?.close();
    if (h) await onHost(h, `rm -rf ${root}`);
  });

  const history = async (...args: string[]) => {
    const r = await keel(['history', '-i', p.inventory, '--json', ...args]);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  };

  it('records drift, alerts once on the transition, resolves after converge', async () => {
    const t0 = Date.now();
    const first = await keelJson(['drift', '-i', p.inventory, '-l', 'lab3']);
    const firstMs = Date.now() - t0;
    expect(first.code, first.stderr).toBe(0);
    expect(first.report.command).toBe('drift');
    expect(hook.bodies).toEqual([]); // in sync from the start: nothing to tell

    await onHost(h, `echo 'edited by hand' > ${root}/motd`);
    const drift = await keelJson(['drift', '-i', p.inventory, '-l', 'lab3']);
    expect(drift.code, drift.stderr).toBe(2);
    expect(drift.report.hosts[0]).toMatchObject({ host: 'lab3', status: 'drift' });
    expect(drift.report.hosts[0].resources.find((r: { id: string }) => r.id === `file:${root}/motd`).diff).toContain('-edited by hand');
    expect(hook.bodies).toHaveLength(1);
    const alert = hook.bodies[0];
    expect(alert).toMatchObject({ method: 'POST', contentType: 'application/json', schema: 'keel.drift.alert/v1' });
    const { method: _m, contentType: _c, ...body } = alert;
    expect(validateAlert(body), JSON.stringify(validateAlert.errors)).toBe(true);
    expect(body.events).toEqual([expect.objectContaining({ type: 'drift', host: 'lab3', resource: `file:${root}/motd`, action: 'update' })]);
    expect(JSON.parse(readFileSync(join(p.dir, 'hook.json'), 'utf8'))).toEqual(body); // the command hook got the same JSON

    // the Prometheus file parses and says lab3 has one drifted resource
    const prom = readFileSync(join(p.dir, 'metrics', 'keel.prom'), 'utf8');
    for (const line of prom.trimEnd().split('\n')) expect(line).toMatch(/^(# (HELP|TYPE) keel_drift_\w+ .+|keel_drift_\w+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? -?[\d.e+-]+)$/);
    expect(prom).toContain('keel_drift_resources{host="lab3"} 1\n');
    expect(prom).toContain('# TYPE keel_drift_last_run_timestamp_seconds gauge\n');
    // and a StatsD packet arrived
    expect(statsd.packets.join('\n')).toContain('keel.drift.episodes_opened:1|c');
    expect(statsd.packets.join('\n')).toContain('keel.drift.host.lab3.resources_drifted:1|g');

    // still drifted: no new alert
    expect((await keel(['drift', '-i', p.inventory, '-l', 'lab3'])).code).toBe(2);
    expect(hook.bodies).toHaveLength(1);
    const open = await history('--open', '--host', 'lab3');
    expect(open.episodes).toEqual([expect.objectContaining({ host: 'lab3', resource: `file:${root}/motd`, status: 'open', seenRuns: 2, resolvedAt: null })]);
    expect(open.episodes[0].lastDiff).toContain('+hello from keel');

    expect((await keel(['converge', '-i', p.inventory, '-l', 'lab3'])).code).toBe(0);
    expect((await keel(['drift', '-i', p.inventory, '-l', 'lab3'])).code).toBe(0);
    expect(hook.bodies).toHaveLength(2);
    expect(hook.bodies[1].events).toEqual([expect.objectContaining({ type: 'resolved', resolution: 'fixed', resource: `file:${root}/motd` })]);
    const t1 = Date.now();
    const all = await history('--since', '1h');
    const historyMs = Date.now() - t1;
    expect(all.episodes[0]).toMatchObject({ status: 'resolved', firstSeen: body.events[0].firstSeen });
    expect(all.runs.map((r: { exitCode: number }) => r.exitCode)).toEqual([0, 2, 2, 0]);
    const text = await keel(['history', '-i', p.inventory]);
    expect(text.stdout).toMatch(/lab3\s+file:\S+motd\s+fixed\s+/);
    process.stderr.write(`drift on lab3: one run ${firstMs} ms (CLI, process start included); keel history --json ${historyMs} ms\n`);
  });

  it('alerts when a host starts failing, not again while it still fails; an alert failure keeps the exit code', async () => {
    const before = hook.bodies.length;
    const down = await keel(['drift', '-i', p.inventory, '-l', 'ghost']);
    expect(down.code).toBe(1);
    expect(hook.bodies.slice(before).map((b) => b.events.map((e: { type: string }) => e.type))).toEqual([['host-failed']]);
    expect((await keel(['drift', '-i', p.inventory, '-l', 'ghost'])).code).toBe(1);
    expect(hook.bodies.length).toBe(before + 1);

    // the webhook is down: reported on stderr and in the history, exit code unchanged (2 = drift)
    const inv = (await import('yaml')).parse(readFileSync(p.inventory, 'utf8'));
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    const broken = join(p.dir, 'broken.yaml');
    writeFileSync(broken, stringify({ ...inv, state_dir: '.keel-broken', drift: { webhook: { url: `http://127.0.0.1:${port}/hook?token=s3cret`, timeout: 2 } } }));
    await onHost(h, `echo 'edited again' > ${root}/motd`);
    const r = await keel(['drift', '-i', broken, '-l', 'lab3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/keel drift: alert not delivered: webhook http:\/\/127\.0\.0\.1:\d+\/…: ECONNREFUSED \(after 2 attempts\)/);
    expect(r.stderr).not.toContain('s3cret');
    const runs = JSON.parse((await keel(['history', '-i', broken, '--json'])).stdout).runs;
    expect(runs[0].alertError).toContain('ECONNREFUSED');
    expect((await keel(['converge', '-i', p.inventory, '-l', 'lab3'])).code).toBe(0);
  });

  it('two overlapping runs: the second exits 1 naming the running one, or waits with --lock-timeout; history stays consistent', async () => {
    const slow = labProject([h], { lab3: { address: h.address, states: ['slow'] } });
    slow.writeState('slow', `resources:\n  - command: slow-check\n    run: "true"\n    unless: "sleep 3"\n`);
    const a = keel(['drift', '-i', slow.inventory]);
    await new Promise((r) => setTimeout(r, 2500)); // the first one holds the lock (its probe sleeps 3 s)
    const b = await keel(['drift', '-i', slow.inventory]);
    const ra = await a;
    expect(ra.code, ra.stderr).toBe(0);
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/error: another keel drift is running \(pid \d+ since \d{4}-\d\d-\d\dT[\d:.]+Z\); lock \S+drift\.lock: use --lock-timeout SECONDS to wait for it/);
    let hist = JSON.parse((await keel(['history', '-i', slow.inventory, '--json'])).stdout);
    expect(hist.runs).toHaveLength(1);

    const c = keel(['drift', '-i', slow.inventory]);
    await new Promise((r) => setTimeout(r, 2500));
    const d = await keel(['drift', '-i', slow.inventory, '--lock-timeout', '30']);
    expect((await c).code).toBe(0);
    expect(d.code, d.stderr).toBe(0);
    hist = JSON.parse((await keel(['history', '-i', slow.inventory, '--json'])).stdout);
    expect(hist.runs).toHaveLength(3);
    const runs = hist.runs.map((r: { startedAt: string; durationMs: number }) => [Date.parse(r.startedAt), Date.parse(r.startedAt) + r.durationMs]).reverse();
    for (let i = 1; i < runs.length; i++) expect(runs[i][0]).toBeGreaterThanOrEqual(runs[i - 1][1]); // never overlapped
    const db = new Database(join(slow.dir, '.keel', 'history.db'), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.prepare('SELECT count(*) AS n FROM run_hosts').get()).toEqual({ n: 3 });
    db.close();
  });
});
