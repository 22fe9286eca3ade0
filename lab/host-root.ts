/**
 * A host's root filesystem: the cached image as the read-only lower layer of an overlayfs, with
 * the host's own upper and work dirs. Per-host files (hostname, machine-id, host key, authorized
 * keys, apt proxy) are written through the merged view, so overlayfs copies up owners and modes.
 */
import { randomBytes } from 'node:crypto';
import { chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KeelError } from '../src/errors.js';
import { run } from './exec.js';
import { removeTree } from './remove-tree.js';
import { IMAGE_RECIPE } from './image.js';

export interface HostRootSpec {
  hostDir: string;
  imageDir: string;
  name: string;
  address: string;
  bridgeAddress: string;
  /** Public key line put in root's and every lab user's authorized_keys. */
  authorizedKey: string;
  /** Private host key file made on the controller (`.pub` beside it). */
  hostKey: string;
}

export function isMounted(path: string): boolean {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[4] === path);
}

export async function mountHostRoot(spec: HostRootSpec): Promise<string> {
  const upper = join(spec.hostDir, 'upper');
  const work = join(spec.hostDir, 'work');
  const merged = join(spec.hostDir, 'root');
  for (const p of [spec.imageDir, upper, work]) {
    if (/[,:\s]/.test(p)) throw new KeelError('E_LAB', `overlayfs cannot use a path with ',', ':' or spaces: ${p}`);
  }
  for (const d of [upper, work, merged]) mkdirSync(d, { recursive: true });
  if (!isMounted(merged)) {
    await run('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${spec.imageDir},upperdir=${upper},workdir=${work}`, merged]);
  }
  personalise(merged, spec);
  return merged;
}

function personalise(root: string, spec: HostRootSpec): void {
  const put = (path: string, content: string, mode = 0o644, uid = 0) => {
    const file = join(root, path);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, content, { mode });
    chownSync(file, uid, uid);
  };
  put('etc/hostname', `${spec.name}\n`);
  put('etc/hosts', `127.0.0.1\tlocalhost\n127.0.1.1\t${spec.name}\n${spec.address}\t${spec.name}\n::1\tlocalhost ip6-localhost ip6-loopback\n`);
  put('etc/machine-id', `${randomBytes(16).toString('hex')}\n`, 0o444);
  put('etc/apt/apt.conf.d/01proxy', `Acquire::http::Proxy "http://${spec.bridgeAddress}:3142";\n`);
  put('etc/ssh/ssh_host_ed25519_key', readFileSync(spec.hostKey, 'utf8'), 0o600);
  put('etc/ssh/ssh_host_ed25519_key.pub', readFileSync(`${spec.hostKey}.pub`, 'utf8'));
  put('root/.ssh/authorized_keys', `${spec.authorizedKey}\n`, 0o600);
  for (const u of IMAGE_RECIPE.users) {
    put(`home/${u.name}/.ssh/authorized_keys`, `${spec.authorizedKey}\n`, 0o600, u.uid);
  }
}

/** Unmount the host's root (lazily if something still holds it) and delete its layers. */
export async function removeHostRoot(hostDir: string): Promise<void> {
  const merged = join(hostDir, 'root');
  if (isMounted(merged)) {
    const r = await run('umount', [merged], { allowFail: true });
    if (r.code !== 0) await run('umount', ['-l', merged], { allowFail: true });
  }
  await removeTree(hostDir);
}

/** Overlay mounts of lab hosts still present under `dir`. */
export function mountLeftovers(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((p): p is string => p !== undefined && p.startsWith(`${dir}/`));
}
