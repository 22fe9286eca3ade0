/**
 * Per-host cgroups. Without systemd as PID 1 nobody gives nspawn a cgroup of its own, and two
 * hosts in one cgroup collide; so each host's supervisor joins `keel-lab/<host>` in every
 * mounted hierarchy (v1 controllers, name=systemd, and the v2 one) before it starts nspawn.
 * The parent is per lab (`keel-lab` for the default lab, `keel-<name>` for others).
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from './exec.js';

/** Mount points of every cgroup hierarchy (`cgroup` and `cgroup2`). */
export function cgroupMounts(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => {
      const [pre, post] = line.split(' - ');
      const fstype = post?.split(' ')[0];
      return fstype === 'cgroup' || fstype === 'cgroup2' ? pre.split(' ')[4] : undefined;
    })
    .filter((m): m is string => m !== undefined);
}

export function hostCgroupDirs(labCgroup: string, host: string): string[] {
  return cgroupMounts().map((m) => join(m, labCgroup, host));
}

/** Create the host's cgroup in every hierarchy; cpuset ones inherit their parent's cpus/mems. */
export function createHostCgroups(labCgroup: string, host: string): string[] {
  const dirs = hostCgroupDirs(labCgroup, host);
  for (const dir of dirs) {
    const parent = join(dir, '..');
    for (const d of [parent, dir]) {
      if (!existsSync(d)) mkdirSync(d);
      for (const knob of ['cpuset.cpus', 'cpuset.mems']) {
        const file = join(d, knob);
        if (existsSync(file) && readFileSync(file, 'utf8').trim() === '') {
          writeFileSync(file, readFileSync(join(d, '..', knob), 'utf8').trim());
        }
      }
    }
  }
  return dirs;
}

function subtree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const children = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory());
  return [...children.flatMap((c) => subtree(join(dir, c.name))), dir]; // deepest first
}

/** Every pid in the host's cgroups, container processes included. */
export function cgroupPids(dirs: string[]): number[] {
  const pids = new Set<number>();
  for (const d of dirs.flatMap(subtree)) {
    try {
      for (const p of readFileSync(join(d, 'cgroup.procs'), 'utf8').split('\n')) if (p) pids.add(Number(p));
    } catch {
      // raced with removal
    }
  }
  return [...pids];
}

/** SIGKILL everything in the cgroups until they are empty, then remove them. */
export async function destroyCgroups(dirs: string[], timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pids = cgroupPids(dirs);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    let busy = false;
    for (const d of dirs.flatMap(subtree)) {
      try {
        rmdirSync(d);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') busy = true;
      }
    }
    if (!busy || Date.now() > deadline) return;
    await sleep(50);
  }
}

/** Remove the lab's parent cgroups once no host cgroup is left under them. */
export function removeLabCgroupParents(labCgroup: string): void {
  for (const m of cgroupMounts()) {
    try {
      rmdirSync(join(m, labCgroup));
    } catch {
      // absent, or still holds a host
    }
  }
}
