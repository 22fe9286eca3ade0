/** The lab's public types and option defaults. */
import { join, resolve } from 'node:path';

export interface LabOptions {
  /** Lab state dir (keys, inventories, host layers). Default `<cwd>/.keel/lab`. */
  dir?: string;
  /** Image and apt cache. Default `/var/cache/keel-lab`. */
  cacheDir?: string;
  /** An IPv4 /24. Default `10.199.0.0/24`: bridge `keel-lab0` at .1, lab1.. at .11, .12, ... */
  subnet?: string;
  /** Seconds each host may take to become ready. Default 120. */
  readyTimeoutS?: number;
  /** Progress messages (image build, boots). Default: silent. */
  log?: (message: string) => void;
}

export interface ResolvedLabOptions {
  dir: string;
  cacheDir: string;
  subnet: string;
  readyTimeoutS: number;
  log: (message: string) => void;
}

export function resolveLabOptions(opts: LabOptions = {}): ResolvedLabOptions {
  return {
    dir: resolve(opts.dir ?? join(process.cwd(), '.keel', 'lab')),
    cacheDir: resolve(opts.cacheDir ?? '/var/cache/keel-lab'),
    subnet: opts.subnet ?? '10.199.0.0/24',
    readyTimeoutS: opts.readyTimeoutS ?? 120,
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
  dir: string;
  /** keel inventory (YAML). */
  inventory: string;
  /** Ansible INI inventory. */
  hostsIni: string;
  identity: string;
  knownHosts: string;
  bridge: { name: string; address: string };
  hosts: LabHost[];
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
