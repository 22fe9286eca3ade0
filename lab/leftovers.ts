/** Anything a lab may leave on the machine: used by labDown's tests and by `keel lab status`. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cgroupMounts } from './cgroup.js';
import { mountLeftovers } from './host-root.js';
import { labNetLeftovers } from './network.js';
import { procArgv } from '../src/proc.js';
import { SUPERVISOR_TAG } from './supervisor.js';
import { procState } from '../src/proc.js';
import { resolveLabOptions, type LabOptions } from './types.js';

function labProcesses(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const state = procState(pid);
    if (state === undefined || state === 'Z') continue;
    const argv = procArgv(pid);
    const ours =
      argv.includes(SUPERVISOR_TAG) ||
      (argv[0]?.endsWith('systemd-nspawn') && argv.some((a) => a.startsWith(dir))) ||
      (argv[0]?.endsWith('apt-cacher-ng') && argv.some((a) => a.includes('keel-lab')));
    if (ours) found.push(`process ${pid} ${argv.join(' ')}`);
  }
  return found;
}

export async function labLeftovers(opts: LabOptions = {}): Promise<string[]> {
  const { dir } = resolveLabOptions(opts);
  const cgroups = cgroupMounts()
    .map((m) => join(m, 'keel-lab'))
    .filter((d) => existsSync(d))
    .map((d) => `cgroup ${d}`);
  return [...(await labNetLeftovers()), ...mountLeftovers(dir).map((m) => `mount ${m}`), ...labProcesses(dir), ...cgroups];
}
