/**
 * Workers (`npm run bench -- --workers [--hosts 50] [--runs R]`, by hand, as root): the drift
 * check of N fresh lab hosts (bench/fixtures' Django web host, 33 resources) recorded in one
 * PostgreSQL history (Debian's server, started here on loopback), once by one controller
 * (`keel drift --history URL`) and once enqueued (`keel drift --enqueue`) to two `keel worker`
 * processes started beforehand and idle between runs; R runs each, alternating, after one
 * unmeasured warm-up pair. Per run: wall (the controller's, from spawn to exit) and CPU: the
 * controller's (GNU time) plus, for the workers, what their processes spent during the run
 * (/proc/PID/stat). On a lab of its own ('workers'); KEEL_LAB_KEEP=1 leaves it up.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism, tmpdir } from 'node:os';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startPostgres } from '../test/helpers/postgres.js';
import type { BenchOptions } from './index.js';
import { measure } from './measure.js';
import { median } from './table.js';
import { ensureTools } from './tools.js';
import { benchLab, benchLabDown, benchLabUp, repo, type Work } from './workdir.js';

const WORKERS = benchLab('workers');
const CLK_TCK = 100;

interface WorkerRun {
  mode: 'controller' | 'workers';
  wallMs: number;
  /** The controller process (and its children). */
  controllerCpuMs: number;
  /** The two workers' processes during the run (0 for a direct run). */
  workersCpuMs: number;
}

/** User + system CPU a process has spent so far (its waited-for children included). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields 14-17 of stat(5): utime stime cutime cstime, here 11.. after the state field
  return ([11, 12, 13, 14].reduce((s, i) => s + Number(f[i]), 0) * 1000) / CLK_TCK;
}

function startWorker(url: string, work: Work, name: string, env: NodeJS.ProcessEnv, concurrency: number): Promise<ChildProcess> {
  const child = spawn('node', ['bin/keel.js', 'worker', '--queue', url, '-i', work.inventory, '--concurrency', String(concurrency), '--name', name], { cwd: repo, env, stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('taking jobs from')) resolve(child);
    });
    child.on('exit', (c) => reject(new Error(`bench: worker ${name} exited ${c}: ${err}`)));
  });
}

export async function run(opts: BenchOptions): Promise<void> {
  ensureTools();
  execFileSync('npm', ['run', 'build'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  const started = new Date();
  const pg = await startPostgres();
  const env = { ...process.env, ...pg.env };
  const runs: WorkerRun[] = [];
  const workers: ChildProcess[] = [];
  const stateDir = mkdtempSync(join(tmpdir(), 'keel-bench-drift-'));
  try {
    await benchLabDown(WORKERS);
    const work = await benchLabUp(opts.hosts, WORKERS);
    const forks = String(Math.max(20, opts.hosts));
    // each worker takes half the hosts at once, as the controller takes all of them
    const per = Math.ceil(opts.hosts / 2);
    for (const name of ['w1', 'w2']) workers.push(await startWorker(pg.url, work, name, env, per));
    const direct = async (): Promise<WorkerRun> => {
      const s = await measure('node', ['bin/keel.js', 'drift', '-i', work.inventory, '--history', pg.url, '--state-dir', stateDir, '--json', '--forks', forks], { cwd: repo, env });
      if (s.code !== 2 && s.code !== 0) throw new Error(`bench: keel drift exited ${s.code}: ${s.stderr.slice(-2000)}`);
      return { mode: 'controller', wallMs: s.wallMs, controllerCpuMs: s.cpuMs, workersCpuMs: 0 };
    };
    const queued = async (): Promise<WorkerRun> => {
      const before = workers.map((w) => cpuMs(w.pid!));
      const s = await measure('node', ['bin/keel.js', 'drift', '-i', work.inventory, '--enqueue', '--queue', pg.url, '--json'], { cwd: repo, env });
      if (s.code !== 2 && s.code !== 0) throw new Error(`bench: keel drift --enqueue exited ${s.code}: ${s.stderr.slice(-2000)}`);
      const report = JSON.parse(s.stdout) as { summary: { hosts: number; failed: number; unreachable: number } };
      if (report.summary.hosts !== opts.hosts || report.summary.failed || report.summary.unreachable) throw new Error(`bench: the enqueued run: ${JSON.stringify(report.summary)}`);
      const workersCpuMs = workers.reduce((sum, w, i) => sum + cpuMs(w.pid!) - before[i]!, 0);
      return { mode: 'workers', wallMs: s.wallMs, controllerCpuMs: s.cpuMs, workersCpuMs };
    };
    process.stderr.write('bench: warm-up (not counted)\n');
    await direct();
    await queued();
    const steps = [direct, queued];
    for (let i = 0; i < opts.runs; i++) {
      for (let k = 0; k < steps.length; k++) {
        const r = await steps[(i + k) % steps.length]!();
        process.stderr.write(`bench: ${r.mode}: wall ${(r.wallMs / 1000).toFixed(2)} s, controller CPU ${(r.controllerCpuMs / 1000).toFixed(2)} s, workers' CPU ${(r.workersCpuMs / 1000).toFixed(2)} s\n`);
        runs.push(r);
      }
    }
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    await pg.stop();
    rmSync(stateDir, { recursive: true, force: true });
    if (process.env.KEEL_LAB_KEEP !== '1') await benchLabDown(WORKERS);
  }
  const med = (mode: WorkerRun['mode'], f: (r: WorkerRun) => number) => median(runs.filter((r) => r.mode === mode).map(f));
  const s = (ms: number) => (ms / 1000).toFixed(2);
  const row = (label: string, f: (r: WorkerRun) => number) => `| ${label} | ${s(med('controller', f))} | ${s(med('workers', f))} | ${(med('workers', f) / med('controller', f)).toFixed(2)}x |`;
  console.log(`keel drift of ${opts.hosts} lab hosts into a PostgreSQL history: one controller beside two workers, medians of ${opts.runs} paired runs (${started.toISOString()}, ${availableParallelism()} CPUs, controller, workers, database and hosts on this one machine)\n`);
  console.log('| drift check | one controller | --enqueue, two workers | workers/controller |');
  console.log('|---|---|---|---|');
  console.log(row('wall (s)', (r) => r.wallMs));
  console.log(row('CPU, controller (s)', (r) => r.controllerCpuMs));
  console.log(row('CPU, controller + workers (s)', (r) => r.controllerCpuMs + r.workersCpuMs));
}
