/** What keel learns about a host before planning (the facts snippet's parsed output). */
export interface Facts {
  hostname: string;
  /** Fully qualified name (`hostname -f`), else the hostname. */
  fqdn: string;
  /** /etc/os-release ID, e.g. "debian". */
  osId: string;
  /** debian, redhat, or the ID: see osFamily() in gather.ts. */
  osFamily: string;
  osVersion: string;
  osCodename: string;
  arch: string;
  kernel: string;
  cpus: number;
  memoryMb: number;
  /** The host's IP addresses (v4 then v6, in the order the host lists them), no loopback or link-local. */
  addresses: string[];
  /** "systemd" when PID 1 is systemd, else "other". */
  init: 'systemd' | 'other';
  /** apt on Debian/Ubuntu, dnf on Fedora/RHEL, none otherwise. */
  pkgManager: 'apt' | 'dnf' | 'none';
  /** The login user and whether commands run as root. */
  user: string;
  uid: number;
}

/**
 * What the engine and the modules read of a host: a host whose states do not read `facts` gathers
 * only these, with shell builtins (the snippet's subshell is its only process on the host).
 */
export type HostFacts = Pick<Facts, 'init' | 'pkgManager'>;

/** The `facts` variable of states, `when:` and templates (snake_case, as users write it). */
export interface StateFacts {
  os: { family: string; id: string; version_id: string; codename: string };
  arch: string;
  kernel: string;
  hostname: string;
  fqdn: string;
  cpus: number;
  memory_mb: number;
  init: string;
  pkg_manager: string;
  addresses: string[];
}
