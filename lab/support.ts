/** Can this machine run a lab? Linux, root, and the few commands the lab drives. */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { KeelError } from '../src/errors.js';

/** The Debian packages the lab drives (CI installs the same list). */
export const LAB_APT_PACKAGES = [
  'mmdebstrap',
  'systemd-container',
  'apt-cacher-ng',
  'iproute2',
  'openssh-client',
] as const;

const COMMANDS: Record<string, string> = {
  mmdebstrap: 'mmdebstrap',
  'systemd-nspawn': 'systemd-container',
  'apt-cacher-ng': 'apt-cacher-ng',
  ip: 'iproute2',
  ssh: 'openssh-client',
  'ssh-keygen': 'openssh-client',
  mount: 'mount',
};

function onPath(cmd: string): boolean {
  const dirs = (process.env.PATH ?? '').split(delimiter).concat(['/usr/sbin', '/sbin']);
  return dirs.some((d) => {
    try {
      accessSync(join(d, cmd), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Why a lab cannot run here, or undefined when it can. */
export function labSupportProblem(): string | undefined {
  if (process.platform !== 'linux') return `this is ${process.platform}, not Linux`;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'not root (uid ' + process.getuid?.() + ')';
  const missing = Object.keys(COMMANDS).filter((c) => !onPath(c));
  if (missing.length > 0) {
    const pkgs = [...new Set(missing.map((c) => COMMANDS[c]))].join(' ');
    return `missing ${missing.join(', ')} (apt-get install ${pkgs})`;
  }
  return undefined;
}

export function requireLabSupport(): void {
  const problem = labSupportProblem();
  if (problem === undefined) return;
  throw new KeelError('E_LAB', `keel lab needs Linux and root: ${problem}`, {
    hint: `run as root on Debian/Ubuntu with: apt-get install ${LAB_APT_PACKAGES.join(' ')}`,
  });
}
