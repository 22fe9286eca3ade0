/** What keel learns about a host in the probe round trip, before planning. */
export interface Facts {
  hostname: string;
  /** /etc/os-release ID, e.g. "debian". */
  osId: string;
  osVersion: string;
  osCodename: string;
  arch: string;
  kernel: string;
  /** "systemd" when PID 1 is systemd, else "other". */
  init: 'systemd' | 'other';
  /** apt on Debian/Ubuntu, dnf on Fedora/RHEL, none otherwise. */
  pkgManager: 'apt' | 'dnf' | 'none';
  /** The login user and whether commands run as root. */
  user: string;
  uid: number;
}
