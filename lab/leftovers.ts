/**
 * Anything a lab may leave on the machine: used by labDown's tests and by `keel lab status`.
 * Only the named lab's own objects count: another lab running beside it is not a leftover.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { aptProxyBase } from './apt-proxy.js';
import { cgroupMounts } from './cgroup.js';
import { mountLeftovers } from './host-root.js';
import type { LabNames } from './names.js';
import { labNetLeftovers } from './network.js';
import { procArgv, procState } from '../src/proc.js';
import { SUPERVISOR_TAG } from './supervisor.js';
import { resolveLabOptions, type LabOptions } from './types.js';

/** Whether a process (by argv) is one of this lab's supervisors, nspawns or its apt proxy. */
export function isLabProcess(argv: string[], names: LabNames, dir: string, proxyConfDir: string): boolean {
  const tag = argv.indexOf(SUPERVISOR_TAG);
  if (tag >= 0) return names.ownsHost(argv[tag + 1] ?? '') || argv.some((a) => a.startsWith(`${dir}/`));
  if (argv[0]?.endsWith('systemd-nspawn')) {
    const machine = argv[argv.indexOf('-M') + 1] ?? '';
    return (argv.includes('-M') && names.ownsHost(machine)) || argv.some((a) => a.startsWith(`${dir}/`));
  }
  return (argv[0]?.endsWith('apt-cacher-ng') ?? false) && argv.includes(proxyConfDir);
}

function labProcesses(names: LabNames, dir: string, proxyConfDir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const state = procState(pid);
    if (state === undefined || state === 'Z') continue;
    const argv = procArgv(pid);
    if (isLabProcess(argv, names, dir, proxyConfDir)) found.push(`process ${pid} ${argv.join(' ')}`);
  }
  return found;
}

export async function labLeftovers(opts: LabOptions = {}): Promise<string[]> {
  const { dir, names, cacheDir } = resolveLabOptions(opts);
  const cgroups = cgroupMounts()
    .map((m) => join(m, names.cgroup))
    .filter((d) => existsSync(d))
    .map((d) => `cgroup ${d}`);
  const proxyConfDir = join(aptProxyBase(cacheDir, names.suffix), 'conf');
  return [
    ...(await labNetLeftovers(names)),
    ...mountLeftovers(dir).map((m) => `mount ${m}`),
    ...labProcesses(names, dir, proxyConfDir),
    ...cgroups,
  ];
}
