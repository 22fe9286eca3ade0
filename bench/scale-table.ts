/** The scale bench's figures: the lab's boot, and keel plan beside the floor with the ratios and targets. */
import { median } from './table.js';

export interface BootFigures {
  hosts: number;
  bootMs: number;
  /** The slowest host's boot-to-ready time. */
  slowestHostMs: number;
  concurrency: number;
  /** Memory charged to the lab's cgroup (page cache included). */
  cgroupMemMiB: number;
  /** Of that, the hosts' processes' own memory. */
  anonMiB: number;
  /** CPU seconds per second the booted hosts spend idle (all of them). */
  idleCpuPerS: number;
  /** CPU the hosts spent from their creation to ready (the lab's cgroup is new). */
  hostsCpuMs: number;
}

export interface ScaleRun {
  tool: 'keel' | 'floor';
  wallMs: number;
  cpuMs: number;
  maxRssMiB: number;
  peakPssMiB: number;
  /** CPU the lab's hosts spent during the run (sshd, the probe and all it spawns). */
  hostCpuMs: number;
  /** Processes the run started on the first host (sshd's own included). */
  hostProcesses: number;
}

const sec = (ms: number) => (ms / 1000).toFixed(2);

/** The targets at 200 hosts: keel's peak RSS <= 300 MB, wall <= 1.3x, CPU <= 2x the floor. */
const TARGETS = { rssMB: 300, wall: 1.3, cpu: 2 };

export function scaleTable(boot: BootFigures, runs: ScaleRun[]): string {
  const med = (tool: ScaleRun['tool'], f: (r: ScaleRun) => number) => median(runs.filter((r) => r.tool === tool).map(f));
  const row = (label: string, f: (r: ScaleRun) => number, fmt: (x: number) => string, target?: string) => {
    const k = med('keel', f);
    const fl = med('floor', f);
    return `| ${label} | ${fmt(k)} | ${fmt(fl)} | ${(k / fl).toFixed(2)}x | ${target ?? ''} |`;
  };
  const rssMB = med('keel', (r) => r.maxRssMiB) * 1.048576;
  const ratio = (f: (r: ScaleRun) => number) => med('keel', f) / med('floor', f);
  const met = (ok: boolean) => (ok ? 'met' : 'missed');
  return [
    `lab boot: ${boot.hosts} hosts from nothing in ${sec(boot.bootMs)} s (at most ${Math.min(boot.concurrency, boot.hosts)} at a time; slowest host ${sec(boot.slowestHostMs)} s from its boot to ready; ` +
      `the hosts spent ${sec(boot.hostsCpuMs)} s of CPU on it, ${sec(boot.hostsCpuMs / boot.hosts)} s per host); ` +
      `memory: ${boot.anonMiB.toFixed(0)} MiB of the hosts' processes (${(boot.anonMiB / boot.hosts).toFixed(1)} MiB per host), ` +
      `${boot.cgroupMemMiB.toFixed(0)} MiB charged to the lab's cgroup with page cache; ` +
      `idle, the hosts spend ${boot.idleCpuPerS.toFixed(3)} s of CPU per second`,
    '',
    '| plan, unconverged hosts | keel plan | floor (ssh2 + 1 script) | keel/floor | target |',
    '|---|---|---|---|---|',
    row('wall (s)', (r) => r.wallMs, sec, `<= ${TARGETS.wall}x: ${met(ratio((r) => r.wallMs) <= TARGETS.wall)}`),
    row('controller CPU (s)', (r) => r.cpuMs, sec, `<= ${TARGETS.cpu}x: ${met(ratio((r) => r.cpuMs) <= TARGETS.cpu)}`),
    row("hosts' CPU (s, all hosts)", (r) => r.hostCpuMs, sec),
    row('processes started on one host', (r) => r.hostProcesses, (x) => x.toFixed(0)),
    row('controller max RSS (MiB)', (r) => r.maxRssMiB, (x) => x.toFixed(0), `<= ${TARGETS.rssMB} MB: ${met(rssMB <= TARGETS.rssMB)} (${rssMB.toFixed(0)} MB)`),
    row('controller peak PSS, process tree (MiB)', (r) => r.peakPssMiB, (x) => x.toFixed(0)),
  ].join('\n');
}
