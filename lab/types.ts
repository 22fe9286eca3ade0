/** The lab's public types and option defaults. */
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { type LabNames, labNames } from './names.js';

export interface LabOptions {
  /**
   * The lab's name (default `lab`): its hosts are `${name}1..`, and its bridge, namespaces,
   * veths, cgroups, lock and apt proxy are its own, so labs of different names run side by side.
   */
  name?: string;
  /** Lab state dir (keys, inventories, host layers). Default `<cwd>/.keel/<name>`. */
  dir?: string;
  /** Image and apt cache. Default `/var/cache/keel-lab`. */
  cacheDir?: string;
  /**
   * An IPv4 /24. Default `10.199.0.0/24` for the lab `lab` (bridge `keel-lab0` at .1, lab1.. at
   * .11, .12, ...), `10.198.X.0/24` for any other name (X from a hash of the name).
   */
  subnet?: string;
  /** Seconds each host may take to become ready, counted from its own boot. Default 120. */
  readyTimeoutS?: number;
  /** Hosts booting at once (the rest wait for a slot). Default: 4 per CPU, at least 4. */
  bootConcurrency?: number;
  /** Boots a host that did not become ready gets before labUp gives up on it. Default 2. */
  bootAttempts?: number;
  /** Progress messages (image build, boots). Default: silent. */
  log?: (message: string) => void;
}

export interface ResolvedLabOptions {
  names: LabNames;
  dir: string;
  cacheDir: string;
  subnet: string;
  readyTimeoutS: number;
  bootConcurrency: number;
  bootAttempts: number;
  log: (message: string) => void;
}

export function resolveLabOptions(opts: LabOptions = {}): ResolvedLabOptions {
  const names = labNames(opts.name);
  return {
    names,
    dir: resolve(opts.dir ?? join(process.cwd(), '.keel', names.name)),
    cacheDir: resolve(opts.cacheDir ?? '/var/cache/keel-lab'),
    subnet: opts.subnet ?? names.defaultSubnet,
    readyTimeoutS: opts.readyTimeoutS ?? 120,
    bootConcurrency: opts.bootConcurrency ?? Math.max(4, 4 * availableParallelism()),
    bootAttempts: opts.bootAttempts ?? 2,
    log: opts.log ?? (() => undefined),
  };
}

export interface LabHost {
  name: string;
  address: string;
  /** Supervisor and systemd-nspawn running, and sshd accepting connections. */
  alive: boolean;
  /** After labUp: what systemd reported. */
  systemState?: 'running' | 'degraded';
  /** After labUp, when degraded: the failed units. */
  failedUnits?: string[];
  /** After labUp: true when this call booted the host (false: it was already up). */
  booted?: boolean;
  /** After labUp, for booted hosts: milliseconds from boot start to ready. */
  readyMs?: number;
}

export interface LabInfo {
  name: string;
  dir: string;
  /** keel inventory (YAML). */
  inventory: string;
  /** Ansible INI inventory. */
  hostsIni: string;
  identity: string;
  knownHosts: string;
  bridge: { name: string; address: string };
  hosts: LabHost[];
  /** Hosts that booted at once at most. */
  bootConcurrency: number;
  /** Present when labUp had to build the image. */
  imageBuildMs?: number;
}

export const labFiles = (dir: string) => ({
  inventory: join(dir, 'inventory.yaml'),
  hostsIni: join(dir, 'hosts.ini'),
  identity: join(dir, 'id_ed25519'),
  knownHosts: join(dir, 'known_hosts'),
  state: join(dir, 'lab.json'),
  hostsDir: join(dir, 'hosts'),
  hostKeysDir: join(dir, 'host-keys'),
});
