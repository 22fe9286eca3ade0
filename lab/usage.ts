/**
 * What a lab's hosts use of the machine, from the lab's parent cgroup: CPU time consumed so far
 * (cgroup v2 `cpu.stat` usage_usec, else v1 `cpuacct.usage`) and memory in use (v2
 * `memory.current`, else v1 `memory.usage_in_bytes`; page cache included, as the kernel counts
 * it) and of that the processes' own (anonymous) memory (v2 `anon`, v1 `total_rss` of
 * memory.stat). The benchmarks read it before and after a run to say what the hosts spent on it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cgroupMounts } from './cgroup.js';
import { labNames } from './names.js';

export interface LabUsage {
  /** CPU time of every process in the lab's hosts, in milliseconds (undefined: no accounting). */
  cpuMs?: number;
  /** Memory charged to the lab's hosts, in MiB (undefined: no memory controller). */
  memoryMiB?: number;
  /** Of that, the processes' anonymous memory (no page cache), in MiB. */
  anonMiB?: number;
}

function readNumber(file: string, key?: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  const value = key === undefined ? text.trim() : new RegExp(`^${key} (\\d+)$`, 'm').exec(text)?.[1];
  return value === undefined || value === '' ? undefined : Number(value);
}

export function labUsage(name?: string): LabUsage {
  const cg = labNames(name).cgroup;
  let cpuMs: number | undefined;
  let memoryMiB: number | undefined;
  let anonMiB: number | undefined;
  for (const m of cgroupMounts()) {
    const dir = join(m, cg);
    const v2cpu = readNumber(join(dir, 'cpu.stat'), 'usage_usec');
    const v1cpu = readNumber(join(dir, 'cpuacct.usage'));
    cpuMs ??= v2cpu !== undefined ? v2cpu / 1000 : v1cpu !== undefined ? v1cpu / 1e6 : undefined;
    const mem = readNumber(join(dir, 'memory.current')) ?? readNumber(join(dir, 'memory.usage_in_bytes'));
    memoryMiB ??= mem !== undefined ? mem / 2 ** 20 : undefined;
    const anon = readNumber(join(dir, 'memory.stat'), 'anon') ?? readNumber(join(dir, 'memory.stat'), 'total_rss');
    anonMiB ??= anon !== undefined ? anon / 2 ** 20 : undefined;
  }
  const defined = Object.entries({ cpuMs, memoryMiB, anonMiB }).filter(([, v]) => v !== undefined);
  return Object.fromEntries(defined) as LabUsage;
}
