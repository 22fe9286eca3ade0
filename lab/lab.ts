/**
 * `keel lab`: throwaway real Debian 12 hosts on this machine, each a systemd-nspawn container
 * with its own network namespace, booted from a cached image through overlayfs.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KeelError } from '../src/errors.js';
import { APT_PROXY_PORT, ensureAptProxy, portOpen, stopAptProxy } from './apt-proxy.js';
import { removeLabCgroupParents } from './cgroup.js';
import { removeTree } from './remove-tree.js';
import { hostDirOf, hostRunning, startHost, stopHost } from './host.js';
import { ensureImage } from './image.js';
import { writeInventoryFiles } from './inventory.js';
import { ensureKeyPair } from './keys.js';
import { withLabLock } from './lock.js';
import { ensureBridge, hostsWithNetns, removeBridge } from './network.js';
import { waitUntilReady } from './readiness.js';
import { claimLab, labOwner, readLabState, releaseLab, writeLabState } from './state.js';
import { BRIDGE, MAX_HOSTS, hostAddress, hostName, parseSubnet } from './subnet.js';
import { requireLabSupport } from './support.js';
import { type LabHost, type LabInfo, type LabOptions, labFiles, resolveLabOptions } from './types.js';

/** Raise inotify limits: past ~4 hosts their systemds run out ("Too many open files"). */
function raiseInotifyLimits(): void {
  for (const [knob, want] of [['max_user_instances', 8192], ['max_user_watches', 1048576]] as const) {
    const path = `/proc/sys/fs/inotify/${knob}`;
    if (Number(readFileSync(path, 'utf8')) < want) writeFileSync(path, String(want));
  }
}

function labHasLiveHosts(dir: string): boolean {
  const hostsDir = labFiles(dir).hostsDir;
  return existsSync(hostsDir) && readdirSync(hostsDir).some((h) => hostRunning(join(hostsDir, h)));
}

/**
 * Boot hosts lab1..labN (hosts already up stay up; a larger N adds hosts; a smaller N removes
 * none). Resolves when every host answers SSH and systemd reports running (or degraded, with
 * the failed units in `failedUnits`).
 */
export async function labUp(n: number, opts: LabOptions = {}): Promise<LabInfo> {
  requireLabSupport();
  return withLabLock('keel lab up', () => labUpLocked(n, opts));
}

async function labUpLocked(n: number, opts: LabOptions): Promise<LabInfo> {
  if (!Number.isInteger(n) || n < 1 || n > MAX_HOSTS) {
    throw new KeelError('E_LAB', `lab size must be a whole number from 1 to ${MAX_HOSTS}, got ${n}`);
  }
  const t0 = Date.now();
  const o = resolveLabOptions(opts);
  const files = labFiles(o.dir);
  const net = parseSubnet(o.subnet);
  const previous = readLabState(files.state);
  if (previous && previous.subnet !== o.subnet && labHasLiveHosts(o.dir)) {
    throw new KeelError('E_LAB', `the lab in ${o.dir} runs on ${previous.subnet}, not ${o.subnet}`, {
      hint: 'take it down first (labDown) to change the subnet',
    });
  }
  mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  claimLab(o.dir, labHasLiveHosts);
  raiseInotifyLimits();

  await ensureBridge(net);
  await ensureAptProxy({ cacheDir: o.cacheDir, labDir: o.dir, bindAddress: net.bridgeAddress });
  const image = await ensureImage(o.cacheDir, o.log, `http://${net.bridgeAddress}:${APT_PROXY_PORT}`);
  const authorizedKey = await ensureKeyPair(files.identity, 'keel-lab');

  const count = Math.max(n, previous?.hosts.length ?? 0);
  const hosts = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const name = hostName(i + 1);
      const address = hostAddress(net, i + 1);
      const hostKey = join(files.hostKeysDir, name, 'ssh_host_ed25519_key');
      const hostKeyPub = await ensureKeyPair(hostKey, `root@${name}`);
      const hostDir = hostDirOf(o.dir, name);
      const booted = !hostRunning(hostDir);
      const started = Date.now();
      if (booted) {
        await startHost({ name, address, hostDir, imageDir: image.dir, net, authorizedKey, hostKey });
      }
      return { name, address, hostKey: hostKeyPub, booted, started };
    }),
  );
  writeLabState(files.state, { subnet: o.subnet, imageDir: image.dir, hosts: hosts.map(({ name, address }) => ({ name, address })) });
  writeInventoryFiles(hosts, files);
  const bootCount = hosts.filter((h) => h.booted).length;
  o.log(`${bootCount} host(s) booting (set up in ${Date.now() - t0} ms), waiting for ssh and systemd`);

  const ready = await Promise.all(
    hosts.map(async (h): Promise<LabHost> => {
      const r = await waitUntilReady(h.name, { address: h.address, identity: files.identity, knownHosts: files.knownHosts }, o.readyTimeoutS * 1000);
      if (r.state === 'degraded') o.log(`${h.name} is degraded: failed units ${r.failedUnits.join(', ')}`);
      return {
        name: h.name,
        address: h.address,
        alive: true,
        systemState: r.state,
        failedUnits: r.failedUnits,
        booted: h.booted,
        ...(h.booted ? { readyMs: Date.now() - h.started } : {}),
      };
    }),
  );
  return {
    dir: o.dir,
    inventory: files.inventory,
    hostsIni: files.hostsIni,
    identity: files.identity,
    knownHosts: files.knownHosts,
    bridge: { name: BRIDGE, address: net.bridgeAddress },
    hosts: ready,
    ...(image.buildMs !== undefined ? { imageBuildMs: image.buildMs } : {}),
  };
}

/** The lab's hosts with whether each is alive (processes running and sshd accepting). */
export async function labStatus(opts: LabOptions = {}): Promise<LabHost[]> {
  const o = resolveLabOptions(opts);
  const state = readLabState(labFiles(o.dir).state);
  if (!state) return [];
  return Promise.all(
    state.hosts.map(async (h) => ({
      name: h.name,
      address: h.address,
      alive: hostRunning(hostDirOf(o.dir, h.name)) && (await portOpen(h.address, 22)),
    })),
  );
}

/**
 * Remove every host, its netns, veth, overlay mount, cgroups and supervisor, then the bridge and
 * the lab's apt-cacher-ng. The lab key and host keys stay (known_hosts remains valid next time);
 * the image and apt caches stay in cacheDir.
 */
export async function labDown(opts: LabOptions = {}): Promise<void> {
  requireLabSupport();
  return withLabLock('keel lab down', () => labDownLocked(opts));
}

async function labDownLocked(opts: LabOptions): Promise<void> {
  const o = resolveLabOptions(opts);
  const files = labFiles(o.dir);
  const owner = labOwner();
  if (owner !== undefined && owner !== o.dir && labHasLiveHosts(owner)) {
    throw new KeelError('E_LAB', `the lab on this machine belongs to ${owner}, not ${o.dir}`, {
      hint: `labDown({dir: ${JSON.stringify(owner)}})`,
    });
  }
  const names = new Set<string>(readLabState(files.state)?.hosts.map((h) => h.name) ?? []);
  if (existsSync(files.hostsDir)) for (const h of readdirSync(files.hostsDir)) names.add(h);
  for (const h of await hostsWithNetns()) names.add(h); // leftovers of a lab whose state dir is gone
  await Promise.all([...names].map((name) => stopHost(name, hostDirOf(o.dir, name))));
  await stopAptProxy(o.dir);
  await removeBridge();
  removeLabCgroupParents();
  for (const f of [files.state, files.inventory, files.hostsIni, files.knownHosts]) rmSync(f, { force: true });
  await removeTree(files.hostsDir);
  releaseLab(o.dir);
}
