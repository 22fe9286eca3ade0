/**
 * `keel lab`: throwaway real Debian 12 hosts on this machine, each a systemd-nspawn container
 * with its own network namespace, booted from a cached image through overlayfs. Labs of
 * different names (LabOptions.name) run side by side and never touch each other.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { KeelError } from '../src/errors.js';
import { APT_PROXY_PORT, aptProxyBase, ensureAptProxy, portOpen, stopAptProxy } from './apt-proxy.js';
import { bootHosts } from './boot.js';
import { removeLabCgroupParents } from './cgroup.js';
import { removeTree } from './remove-tree.js';
import { hostDirOf, hostRunning, stopHost } from './host.js';
import { ensureImage } from './image.js';
import { writeInventoryFiles } from './inventory.js';
import { ensureKeyPair } from './keys.js';
import { withLabLock } from './lock.js';
import { ensureBridge, hostsWithNetns, removeBridge } from './network.js';
import { claimLab, labOwner, readLabState, releaseLab, stateName, writeLabState } from './state.js';
import { MAX_HOSTS, hostAddress, parseSubnet } from './subnet.js';
import { requireLabSupport } from './support.js';
import { type LabHost, type LabInfo, type LabOptions, type ResolvedLabOptions, labFiles, resolveLabOptions } from './types.js';

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

/** The dir must not hold a live lab of another name, nor this lab's on another subnet. */
function checkDirFree(o: ResolvedLabOptions): void {
  const previous = readLabState(labFiles(o.dir).state);
  if (!previous || !labHasLiveHosts(o.dir)) return;
  if (stateName(previous) !== o.names.name) {
    throw new KeelError('E_LAB', `${o.dir} holds the running lab '${stateName(previous)}', not '${o.names.name}'`, {
      hint: 'give each lab its own --dir',
    });
  }
  if (previous.subnet !== o.subnet) {
    throw new KeelError('E_LAB', `the lab in ${o.dir} runs on ${previous.subnet}, not ${o.subnet}`, {
      hint: 'take it down first (labDown) to change the subnet',
    });
  }
}

/**
 * Boot hosts <name>1..<name>N (hosts already up stay up; a larger N adds hosts; a smaller N
 * removes none). Resolves when every host answers SSH and systemd reports running (or
 * degraded, with the failed units in `failedUnits`); throws naming the hosts that did not.
 */
export async function labUp(n: number, opts: LabOptions = {}): Promise<LabInfo> {
  requireLabSupport();
  const o = resolveLabOptions(opts);
  return withLabLock('keel lab up', () => labUpLocked(n, o), o.names.name);
}

async function labUpLocked(n: number, o: ResolvedLabOptions): Promise<LabInfo> {
  if (!Number.isInteger(n) || n < 1 || n > MAX_HOSTS) {
    throw new KeelError('E_LAB', `lab size must be a whole number from 1 to ${MAX_HOSTS}, got ${n}`);
  }
  const t0 = Date.now();
  const { names } = o;
  const files = labFiles(o.dir);
  const net = parseSubnet(o.subnet);
  checkDirFree(o);
  const previous = readLabState(files.state);
  mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  claimLab(names, o.dir, labHasLiveHosts);
  raiseInotifyLimits();

  await ensureBridge(net, names.bridge);
  await ensureAptProxy({ base: aptProxyBase(o.cacheDir, names.suffix), labDir: o.dir, bindAddress: net.bridgeAddress });
  const image = await ensureImage(o.cacheDir, o.log, `http://${net.bridgeAddress}:${APT_PROXY_PORT}`);
  const authorizedKey = await ensureKeyPair(files.identity, `keel-${names.name}`);

  const count = Math.max(n, previous?.hosts.length ?? 0);
  const keygen = pLimit(o.bootConcurrency);
  const hosts = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      keygen(async () => {
        const name = names.hostName(i + 1);
        const hostKey = join(files.hostKeysDir, name, 'ssh_host_ed25519_key');
        return { name, address: hostAddress(net, i + 1), hostKey, hostKeyPub: await ensureKeyPair(hostKey, `root@${name}`) };
      }),
    ),
  );
  // state and inventories first: a labUp that dies midway leaves what labDown needs to clean up
  writeLabState(files.state, { name: names.name, subnet: o.subnet, imageDir: image.dir, hosts: hosts.map(({ name, address }) => ({ name, address })) });
  writeInventoryFiles(hosts.map((h) => ({ ...h, hostKey: h.hostKeyPub })), files);
  o.log(`set up in ${Date.now() - t0} ms`);

  const ready = await bootHosts(
    hosts.map((h) => {
      const hostDir = hostDirOf(o.dir, h.name);
      const spec = { name: h.name, address: h.address, hostDir, imageDir: image.dir, names, net, authorizedKey, hostKey: h.hostKey };
      return { spec, running: hostRunning(hostDir) };
    }),
    {
      concurrency: o.bootConcurrency,
      attempts: o.bootAttempts,
      readyTimeoutMs: o.readyTimeoutS * 1000,
      target: (address) => ({ address, identity: files.identity, knownHosts: files.knownHosts }),
      log: o.log,
    },
  );
  return {
    name: names.name,
    dir: o.dir,
    inventory: files.inventory,
    hostsIni: files.hostsIni,
    identity: files.identity,
    knownHosts: files.knownHosts,
    bridge: { name: names.bridge, address: net.bridgeAddress },
    hosts: ready,
    bootConcurrency: o.bootConcurrency,
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
 * Remove every host of the lab, its netns, veth, overlay mount, cgroups and supervisor, then its
 * bridge and its apt-cacher-ng; labs of other names stay up. The lab key and host keys stay
 * (known_hosts remains valid next time); the image and apt caches stay in cacheDir.
 */
export async function labDown(opts: LabOptions = {}): Promise<void> {
  requireLabSupport();
  const o = resolveLabOptions(opts);
  return withLabLock('keel lab down', () => labDownLocked(o), o.names.name);
}

async function labDownLocked(o: ResolvedLabOptions): Promise<void> {
  const { names } = o;
  const files = labFiles(o.dir);
  const owner = labOwner(names);
  if (owner !== undefined && owner !== o.dir && labHasLiveHosts(owner)) {
    throw new KeelError('E_LAB', `the lab '${names.name}' on this machine belongs to ${owner}, not ${o.dir}`, {
      hint: `labDown({name: ${JSON.stringify(names.name)}, dir: ${JSON.stringify(owner)}})`,
    });
  }
  const state = readLabState(files.state);
  if (state && stateName(state) !== names.name) {
    throw new KeelError('E_LAB', `${o.dir} holds the lab '${stateName(state)}', not '${names.name}'`, {
      hint: `labDown({name: ${JSON.stringify(stateName(state))}, dir: ${JSON.stringify(o.dir)}})`,
    });
  }
  const hostNames = new Set<string>(state?.hosts.map((h) => h.name) ?? []);
  if (existsSync(files.hostsDir)) for (const h of readdirSync(files.hostsDir)) if (names.ownsHost(h)) hostNames.add(h);
  for (const h of await hostsWithNetns(names)) hostNames.add(h); // leftovers of a lab whose state dir is gone
  const stop = pLimit(64); // a stop is mostly waiting for a poweroff: many at once, but not 200 shells
  await Promise.all([...hostNames].map((name) => stop(() => stopHost(names, name, hostDirOf(o.dir, name)))));
  await stopAptProxy(o.dir);
  await removeBridge(names.bridge);
  removeLabCgroupParents(names.cgroup);
  for (const f of [files.state, files.inventory, files.hostsIni, files.knownHosts]) rmSync(f, { force: true });
  await removeTree(files.hostsDir);
  releaseLab(names, o.dir);
}
