/**
 * keel drift/converge --enqueue and keel worker through the real CLI, on Debian's PostgreSQL
 * (started here) and three `connection: local` hosts: the report of an enqueued run is the report
 * of a direct run; converge runs on the workers; --no-wait returns at once and the run still ends;
 * a worker whose checkout compiles to other declarations refuses the host; bad usage is one clear
 * message before anything is enqueued; --install-unit --unit-dir writes the service. The lab test
 * (test/drift/workers.test.ts) kills a worker mid-run on ten SSH hosts.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openQueue } from '../../src/queue/open-queue.js';
import type { Queue } from '../../src/queue/queue.js';
import { keel, keelJson } from '../helpers/keel.js';
import { startKeel, type KeelProcess } from '../helpers/keel-process.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

// local hosts share this machine's host lock with the rest of the suite: wait for it
const WAIT = ['--lock-timeout', '120'];

describe('keel drift/converge --enqueue and keel worker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-queue-'));
  const out = join(dir, 'out');
  const inventory = join(dir, 'project', 'inventory.yaml');
  let pg: TestPostgres;
  let queue: Queue;
  let worker: KeelProcess | undefined;
  const env = () => pg.env;

  const project = (root: string, greeting: string) => {
    mkdirSync(join(root, 'states'), { recursive: true });
    writeFileSync(join(root, 'inventory.yaml'), `hosts:\n  h1: {connection: local}\n  h2: {connection: local}\n  h3: {connection: local}\ngroups:\n  all:\n    hosts: [h1, h2, h3]\n    states: [files]\n`);
    writeFileSync(join(root, 'states', 'files.yaml'), `resources:\n  - file: ${out}/{{ inventory_hostname }}\n    content: "${greeting} {{ inventory_hostname }}\\n"\n`);
  };
  const startWorker = (inv = inventory, name = 'w1') => {
    const w = startKeel(['worker', '--queue', pg.url, '-i', inv, '--concurrency', '3', '--lease', '30', '--name', name], { env: env() });
    return w;
  };
  const stopWorker = async (w: KeelProcess) => {
    w.child.kill('SIGTERM');
    const r = await w.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('keel worker: stopped');
    return r;
  };
  const runs = async () => (await queue.pool.query('SELECT count(*)::int AS n FROM queue_runs')).rows[0].n as number;
  const timeless = (report: unknown) => JSON.stringify(report, (k, v) => (k === 'startedAt' || k === 'durationMs' ? 0 : v));

  beforeAll(async () => {
    pg = await startPostgres();
    mkdirSync(out);
    project(join(dir, 'project'), 'hello');
    queue = await openQueue(pg.url.replace('keel@', `keel:${pg.password}@`));
    worker = startWorker();
    await worker.stderrMatches(/taking jobs from/);
  });
  afterAll(async () => {
    if (worker && worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await queue?.close();
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an enqueued drift prints the report a direct drift prints, and records it once in the history', async () => {
    const queued = await keelJson(['drift', '-i', inventory, '--enqueue', '--queue', pg.url, ...WAIT], { env: env() });
    expect(queued.code, queued.stderr).toBe(2);
    expect(queued.stderr).toMatch(/keel drift: enqueued run \d+ \(3 hosts\); waiting for the workers of postgres:\/\/keel@127\.0\.0\.1/);
    const direct = await keelJson(['drift', '-i', inventory, '--state-dir', join(dir, 'direct'), ...WAIT], { env: env() });
    expect(direct.code, direct.stderr).toBe(2);
    expect(timeless(queued.report)).toBe(timeless(direct.report));
    expect(queued.report.hosts.map((h: { host: string; status: string }) => `${h.host} ${h.status}`)).toEqual(['h1 drift', 'h2 drift', 'h3 drift']);

    const text = await keel(['drift', '-i', inventory, '--enqueue', '--queue', pg.url, ...WAIT], { env: env() });
    expect(text.code, text.stderr).toBe(2);
    expect(text.stdout).toContain(`+ file:${out}/h2`);
    expect(text.stdout).toMatch(/^drift: 3 host\(s\), 3 drifted, 0 changed, 0 failed, 0 unreachable in/m);

    const h = await keel(['history', '--history', pg.url, '--json'], { env: env() });
    expect(h.code, h.stderr).toBe(0);
    const v = JSON.parse(h.stdout);
    expect(v.runs.map((r: { exitCode: number; hosts: number }) => [r.exitCode, r.hosts])).toEqual([[2, 3], [2, 3]]);
    expect(v.episodes.map((e: { host: string; seenRuns: number }) => `${e.host} ${e.seenRuns}`).sort()).toEqual(['h1 2', 'h2 2', 'h3 2']);
    const attempts = (await queue.pool.query('SELECT DISTINCT attempts, worker FROM queue_jobs')).rows;
    expect(attempts).toEqual([{ attempts: 1, worker: 'w1' }]);
  });

  it('converges on the workers; the next enqueued drift is in sync', async () => {
    const c = await keelJson(['converge', '-i', inventory, '--enqueue', '--queue', pg.url, ...WAIT], { env: env() });
    expect(c.code, c.stderr).toBe(0);
    expect(c.report.command).toBe('converge');
    expect(c.report.summary).toMatchObject({ hosts: 3, changed: 3, failed: 0 });
    expect(readFileSync(join(out, 'h3'), 'utf8')).toBe('hello h3\n');
    const d = await keel(['drift', '-i', inventory, '--enqueue', '--queue', pg.url, ...WAIT], { env: env() });
    expect(d.code, d.stdout + d.stderr).toBe(0);
    expect(d.stdout).toMatch(/^drift: 3 host\(s\), 0 drifted/m);
  });

  it('--no-wait returns once the jobs are queued; the workers still finish the run', async () => {
    writeFileSync(join(out, 'h1'), 'edited\n');
    const r = await keel(['drift', '-i', inventory, '--enqueue', '--queue', pg.url, '--no-wait', ...WAIT], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    const id = Number(/^enqueued run (\d+): 3 hosts for the workers of /m.exec(r.stdout)?.[1]);
    expect(id).toBeGreaterThan(0);
    for (let i = 0; i < 600 && !(await queue.status(id)).finished; i++) await new Promise((t) => setTimeout(t, 100));
    const s = await queue.status(id);
    expect(s).toMatchObject({ finished: true, done: 3, exitCode: 2 });
    expect(s.report!.hosts.map((h) => h.status)).toEqual(['drift', 'in-sync', 'in-sync']);
    expect(s.historyRun).toBeGreaterThan(0);
  });

  it('a worker whose checkout compiles to other declarations refuses the host, applying nothing', async () => {
    await stopWorker(worker!);
    const stale = join(dir, 'stale');
    cpSync(join(dir, 'project'), stale, { recursive: true });
    project(stale, 'goodbye');
    worker = startWorker(join(stale, 'inventory.yaml'), 'stale');
    await worker.stderrMatches(/taking jobs from/);
    const c = await keelJson(['converge', '-i', inventory, '--enqueue', '--queue', pg.url, ...WAIT], { env: env() });
    expect(c.code).toBe(1);
    for (const h of c.report.hosts) {
      expect(h.status).toBe('failed');
      expect(h.error).toMatch(/^worker stale: the states compile to other declarations here than on the controller \(digest [0-9a-f]{12}, controller [0-9a-f]{12}\): bring the worker's checkout of .*stale\/inventory\.yaml to the controller's$/);
    }
    expect(readFileSync(join(out, 'h1'), 'utf8')).toBe('edited\n');
    await stopWorker(worker);
    worker = undefined;
  });

  it('bad usage and bad input: one clear message, nothing enqueued', async () => {
    const before = await runs();
    const cases: [string[], RegExp][] = [
      [['drift', '-i', inventory, '--queue', pg.url], /--queue without --enqueue/],
      [['converge', '-i', inventory, '--no-wait'], /--no-wait without --enqueue/],
      [['drift', '-i', inventory, '--enqueue'], /--enqueue needs the PostgreSQL database the workers take jobs from/],
      [['drift', '-i', inventory, '--enqueue', '--queue', pg.url.replace('keel@', 'keel:secret@')], /--queue: the URL carries a password/],
      [['converge', '-i', inventory, '--enqueue', '--queue', pg.url, '--serial', '1'], /--serial with --enqueue: not for a run spread over workers/],
      [['drift', '-i', inventory, '--enqueue', '--queue', pg.url, '--every', '* * * * *'], /--every with --enqueue/],
      [['drift', '-i', inventory, '--enqueue', '--queue', pg.url, '--metrics-file', join(dir, 'm.prom')], /--metrics-file with --enqueue/],
      [['drift', '-i', inventory, '--enqueue', '--queue', pg.url, '--history', join(dir, 'h.db')], /--enqueue records the drift in the queue's database: --queue and the history/],
      [['worker', '--queue', 'mysql://x/y', '-i', inventory], /--queue "mysql:\/\/x\/y": the queue is a PostgreSQL database/],
    ];
    for (const [args, message] of cases) {
      const r = await keel(args, { env: env() });
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const broken = join(dir, 'broken');
    cpSync(join(dir, 'project'), broken, { recursive: true });
    writeFileSync(join(broken, 'states', 'files.yaml'), 'resources:\n  - file: /tmp/x\n    mode: 0644\n    contnet: "x"\n');
    const r = await keel(['drift', '-i', join(broken, 'inventory.yaml'), '--enqueue', '--queue', pg.url], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/files\.yaml:4:5/);
    expect(await runs()).toBe(before);
  });

  it('with no worker running, the controller says so after 10 s; Ctrl-C leaves the run queued for the workers', async () => {
    const c = startKeel(['drift', '-i', inventory, '--enqueue', '--queue', pg.url], { env: env(), group: true });
    await c.stderrMatches(/no worker has taken a job of run (\d+) yet: is a keel worker running against postgres:\/\/keel@127\.0\.0\.1:\d+\/keel\? \(docs\/scale\.md\)/);
    process.kill(-c.pid, 'SIGINT');
    const r = await c.done;
    expect(r.code).toBe(130);
    const id = Number(/enqueued run (\d+)/.exec(r.stderr)?.[1]);
    expect(r.stderr).toContain(`interrupted: run ${id} goes on on the workers (nothing here stops it)`);
    expect(await queue.status(id)).toMatchObject({ finished: false, done: 0, taken: 0, hosts: 3 });
  });

  it('--install-unit --unit-dir writes a service running this worker, without the password', async () => {
    const units = join(dir, 'units');
    const r = await keel(['worker', '--queue', pg.url, '-i', inventory, '--concurrency', '8', '--install-unit', '--unit-dir', units], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    const name = /wrote: .*\/(keel-worker-[0-9a-f]{8})\.service/.exec(r.stdout)?.[1];
    expect(name).toBeDefined();
    const unit = readFileSync(join(units, `${name}.service`), 'utf8');
    expect(unit).toMatch(/^ExecStart=\S+node\S* .* worker --queue postgres:\/\/keel@127\.0\.0\.1:\d+\/keel -i \S+\/project\/inventory\.yaml --concurrency 8 --lease 60$/m);
    expect(unit).toContain(`WorkingDirectory=${join(dir, 'project')}`);
    expect(unit).toContain('Restart=on-failure');
    expect(unit).not.toContain(pg.password);
    const again = await keel(['worker', '--queue', pg.url, '-i', inventory, '--concurrency', '8', '--install-unit', '--unit-dir', units], { env: env() });
    expect(again.stdout).toContain('unchanged: ');
    expect(existsSync(join(units, `${name}.service`))).toBe(true);
  });
});
