/** One lab host's life: network, root filesystem, cgroups and supervisor, up and down. */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from './exec.js';
import { createHostCgroups, destroyCgroups, hostCgroupDirs } from './cgroup.js';
import { mountHostRoot, removeHostRoot } from './host-root.js';
import { createHostNet, removeHostNet } from './network.js';
import { isAlive } from '../src/proc.js';
import type { LabNames } from './names.js';
import type { LabNet } from './subnet.js';
import { nspawnPid, signalSupervisorStop, startSupervisor, supervisorPid } from './supervisor.js';

export interface HostSpec {
  name: string;
  address: string;
  /** `<lab dir>/hosts/<name>`: upper/work/root layers, pid files, console log. */
  hostDir: string;
  imageDir: string;
  names: LabNames;
  net: LabNet;
  authorizedKey: string;
  hostKey: string;
}

/** True while the host's supervisor and its systemd-nspawn both run (zombies do not count). */
export function hostRunning(hostDir: string): boolean {
  return supervisorPid(hostDir) !== undefined && nspawnPid(hostDir) !== undefined;
}

/** Boot a fresh host (any remnant of an earlier one is removed first). Returns once nspawn runs. */
export async function startHost(spec: HostSpec): Promise<void> {
  await stopHost(spec.names, spec.name, spec.hostDir);
  mkdirSync(spec.hostDir, { recursive: true });
  const netnsPath = await createHostNet(spec.net, spec.names.bridge, spec.name, spec.address);
  const rootDir = await mountHostRoot({
    hostDir: spec.hostDir,
    imageDir: spec.imageDir,
    name: spec.name,
    address: spec.address,
    bridgeAddress: spec.net.bridgeAddress,
    authorizedKey: spec.authorizedKey,
    hostKey: spec.hostKey,
  });
  const cgroupDirs = createHostCgroups(spec.names.cgroup, spec.name);
  startSupervisor({ name: spec.name, netnsPath, rootDir, stateDir: spec.hostDir, cgroupDirs });
}

/**
 * Stop the host and remove everything it had: a clean poweroff is asked first (SIGTERM to
 * nspawn), then whatever is left in its cgroups is killed; then its mounts, netns and layers go.
 */
export async function stopHost(names: LabNames, name: string, hostDir: string, graceMs = 3_000): Promise<void> {
  if (existsSync(hostDir)) {
    const supervisor = supervisorPid(hostDir);
    if (supervisor !== undefined) {
      signalSupervisorStop(hostDir);
      const deadline = Date.now() + graceMs;
      while (isAlive(supervisor) && Date.now() < deadline) await sleep(50);
    }
  }
  await destroyCgroups(hostCgroupDirs(names.cgroup, name));
  await removeHostRoot(hostDir);
  await removeHostNet(name);
}

export const hostDirOf = (labDir: string, name: string): string => join(labDir, 'hosts', name);
