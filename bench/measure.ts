/**
 * One measured run of a controller command: wall time (from spawn to exit), CPU (user + sys of
 * the process and every child it waited for, from GNU time, plus the CPU of processes that left
 * the tree but belong to the run: Ansible's ssh ControlPersist masters, matched by a marker in
 * their command line) and peak memory: GNU time's maximum RSS (of the largest single process) and
 * the largest sum of PSS over the process tree and those processes, sampled from /proc every
 * 100 ms (PSS so that forked workers' shared pages count once; a peak shorter than that is missed).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Sample {
  wallMs: number;
  cpuMs: number;
  peakPssMiB: number;
  /** GNU time's maximum resident set size: of the largest single process of the tree. */
  maxRssMiB: number;
  code: number;
  stdout: string;
  stderr: string;
}

export interface MeasureOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** A string in the command line of detached processes that are part of the run (counted, then killed). */
  marker?: string;
}

const CLK_TCK = 100;

interface Proc {
  pid: number;
  ppid: number;
  cpuTicks: number;
  cmdline: string;
}

function readProc(pid: number): Proc | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    return { pid, ppid: Number(f[1]), cpuTicks: Number(f[11]) + Number(f[12]), cmdline };
  } catch {
    return undefined; // exited meanwhile
  }
}

function allProcs(): Proc[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => readProc(Number(d)))
    .filter((p): p is Proc => p !== undefined);
}

function pssKiB(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** The processes of the run: the tree under `root`, and those whose command line holds `marker`. */
function runProcs(root: number, marker: string | undefined): Proc[] {
  const procs = allProcs();
  const children = new Map<number, Proc[]>();
  for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const out = new Map<number, Proc>();
  const walk = (pid: number) => {
    for (const c of children.get(pid) ?? []) {
      out.set(c.pid, c);
      walk(c.pid);
    }
  };
  const self = procs.find((p) => p.pid === root);
  if (self) out.set(root, self);
  walk(root);
  if (marker) for (const p of procs) if (p.cmdline.includes(marker) && p.pid !== process.pid) out.set(p.pid, p);
  return [...out.values()];
}

/** Run `cmd args` under GNU time and measure it. Never throws on a non-zero exit: see `code`. */
export async function measure(cmd: string, args: string[], opts: MeasureOptions = {}): Promise<Sample> {
  const dir = mkdtempSync(join(tmpdir(), 'keel-bench-time-'));
  const timeFile = join(dir, 'time');
  const t0 = process.hrtime.bigint();
  const child = spawn('/usr/bin/time', ['-f', '%U %S %M', '-o', timeFile, cmd, ...args], {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  let peakKiB = 0;
  const sampleOnce = () => {
    const procs = runProcs(child.pid!, opts.marker);
    peakKiB = Math.max(peakKiB, procs.reduce((s, p) => s + pssKiB(p.pid), 0));
  };
  const timer = setInterval(sampleOnce, 100);
  // the exit ends the run (a detached process may hold the output pipes until it is ended below)
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (c) => resolve(c ?? 128));
  });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  clearInterval(timer);
  let extraTicks = 0;
  if (opts.marker) {
    // Still alive after the run: detached (ControlPersist masters), so GNU time never waited for
    // them and their CPU is not in its figure. Count it, then end them (by pid).
    for (const p of allProcs().filter((q) => q.cmdline.includes(opts.marker!) && q.pid !== process.pid)) {
      extraTicks += p.cpuTicks;
      try {
        process.kill(p.pid, 'SIGTERM');
      } catch {
        /* gone already */
      }
    }
  }
  await closed;
  const timeText = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
  rmSync(dir, { recursive: true, force: true });
  const [user, sys, maxRssKiB] = timeText.split(' ').map(Number);
  if (![user, sys, maxRssKiB].every((x) => Number.isFinite(x))) throw new Error(`GNU time wrote ${JSON.stringify(timeText)}`);
  return {
    wallMs,
    cpuMs: (user! + sys!) * 1000 + (extraTicks * 1000) / CLK_TCK,
    peakPssMiB: peakKiB / 1024,
    maxRssMiB: maxRssKiB! / 1024,
    code,
    stdout: Buffer.concat(out).toString('utf8'),
    stderr: Buffer.concat(err).toString('utf8'),
  };
}
