/**
 * Scale (`npm run bench -- --hosts 200 --scale [--runs R]`, by hand, as root): `keel plan` of N
 * fresh (unconverged) lab hosts of the Django web host of bench/fixtures (33 resources), beside
 * the floor (bench/floor.mjs: one Node process, one ssh2 connection and one hand-written probe
 * script per host), R runs each, alternating, after one unmeasured warm-up pair. On a lab of
 * its own ('scale'), booted from nothing first: its boot time and the memory its hosts take
 * are measured too. Per run: wall, controller CPU and memory (bench/measure.ts) and the CPU the
 * hosts spent (the lab's cgroup). Prints the markdown table and writes every sample to
 * .keel/scale/scale-<time>.json. KEEL_LAB_KEEP=1 leaves the lab up.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { labSsh, labUsage } from '../lab/index.js';
import type { BenchOptions } from './index.js';
import { scaleTable, type BootFigures, type ScaleRun } from './scale-table.js';
import { ensureTools, floor, keel, type ToolRun } from './tools.js';
import { benchLab, benchLabDown, benchLabUp, repo, type Work } from './workdir.js';

const SCALE = benchLab('scale');
const IDLE_SAMPLE_MS = 10_000;

/**
 * The newest pid in the first host's pid namespace (/proc/loadavg's last field, per namespace):
 * its growth over a run counts the processes the run started there (sshd's included), less
 * what this read itself starts (measured once: `readCost`).
 */
async function lastPid(work: Work): Promise<number> {
  const target = { address: work.addresses[0]!, identity: work.lab.identity, knownHosts: work.lab.knownHosts };
  const r = await labSsh(target, 'cat /proc/loadavg', { timeoutMs: 30_000 });
  const pid = Number(r.stdout.trim().split(' ').pop());
  if (r.code !== 0 || !Number.isInteger(pid)) throw new Error(`bench: cannot read ${target.address}'s /proc/loadavg: ${r.stderr}`);
  return pid;
}

let readCost = 0;

/** One measured run of a tool, with the CPU the lab's hosts spent and the processes it started on one. */
async function withHostCost(tool: 'keel' | 'floor', work: Work, f: () => Promise<ToolRun>): Promise<ScaleRun> {
  const pid0 = await lastPid(work);
  const before = labUsage(SCALE.name).cpuMs ?? NaN;
  const t = await f();
  const hostCpuMs = (labUsage(SCALE.name).cpuMs ?? NaN) - before;
  const hostProcesses = (await lastPid(work)) - pid0 - readCost;
  const { wallMs, cpuMs, maxRssMiB, peakPssMiB } = t.sample;
  const run: ScaleRun = { tool, wallMs, cpuMs, maxRssMiB, peakPssMiB, hostCpuMs, hostProcesses };
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  process.stderr.write(`bench: ${tool}: wall ${s(wallMs)}, cpu ${s(cpuMs)}, hosts' cpu ${s(hostCpuMs)}, ${hostProcesses} processes on ${work.hosts[0]}, max RSS ${maxRssMiB.toFixed(0)} MiB, peak PSS ${peakPssMiB.toFixed(0)} MiB\n`);
  return run;
}

/** keel plan must have planned every host (none failed or unreachable). */
async function keelPlan(work: Work): Promise<ToolRun> {
  const t = await keel(work, 'plan');
  const bad = work.hosts.filter((h) => (t.counts.get(h)?.failed ?? 1) > 0);
  if (bad.length > 0) throw new Error(`bench: keel plan failed on ${bad.length} host(s): ${bad.slice(0, 10).join(', ')}`);
  return t;
}

async function bootFresh(hosts: number): Promise<{ work: Work; boot: BootFigures }> {
  await benchLabDown(SCALE);
  const t0 = Date.now();
  const work = await benchLabUp(hosts, SCALE);
  const bootMs = Date.now() - t0;
  const readyMs = work.lab.hosts.map((h) => h.readyMs ?? 0);
  const usage = labUsage(SCALE.name);
  // what the idle hosts spend anyway (timers, journald): the background of every run's hosts' CPU
  const idle0 = labUsage(SCALE.name).cpuMs ?? NaN;
  await new Promise((r) => setTimeout(r, IDLE_SAMPLE_MS));
  const idleCpuPerS = ((labUsage(SCALE.name).cpuMs ?? NaN) - idle0) / IDLE_SAMPLE_MS;
  const boot: BootFigures = {
    hosts,
    bootMs,
    slowestHostMs: Math.max(...readyMs),
    concurrency: work.lab.bootConcurrency,
    cgroupMemMiB: usage.memoryMiB ?? NaN,
    anonMiB: usage.anonMiB ?? NaN,
    idleCpuPerS,
    hostsCpuMs: usage.cpuMs ?? NaN,
  };
  return { work, boot };
}

export async function run(opts: BenchOptions): Promise<void> {
  ensureTools();
  execFileSync('npm', ['run', 'build'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  const started = new Date();
  const runs: ScaleRun[] = [];
  let boot: BootFigures;
  try {
    const up = await bootFresh(opts.hosts);
    boot = up.boot;
    const work = up.work;
    process.stderr.write(`bench: warm-up (not counted)\n`);
    await keelPlan(work);
    await floor(work);
    const first = await lastPid(work);
    readCost = (await lastPid(work)) - first;
    const steps = [() => withHostCost('keel', work, () => keelPlan(work)), () => withHostCost('floor', work, () => floor(work))];
    for (let i = 0; i < opts.runs; i++) {
      for (let k = 0; k < steps.length; k++) runs.push(await steps[(i + k) % steps.length]!());
    }
  } finally {
    if (process.env.KEEL_LAB_KEEP !== '1') await benchLabDown(SCALE);
  }
  const machine = { nproc: availableParallelism(), memTotalMiB: Math.round(Number(/^MemTotal:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1]) / 1024), node: process.version };
  const file = join(SCALE.workDir, `scale-${started.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ started, hosts: opts.hosts, runs: opts.runs, machine, boot, samples: runs }, null, 2));
  console.log(`keel plan of ${opts.hosts} unconverged hosts beside the floor, medians of ${opts.runs} paired runs (${started.toISOString()}, ${machine.nproc} CPUs)\n`);
  console.log(scaleTable(boot, runs));
  console.log(`\nevery sample: ${file}`);
}
