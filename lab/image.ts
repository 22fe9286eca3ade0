/**
 * The lab's Debian 12 root image: built once with mmdebstrap, customised, and cached under
 * `<cacheDir>/images/<recipe hash>` so it is rebuilt only when the recipe changes.
 * Every host overlays it read-only; nothing per-host (keys, machine-id, hostname) lives here.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KeelError } from '../src/errors.js';
import { run } from './exec.js';
import { removeTree } from './remove-tree.js';

export const IMAGE_RECIPE = {
  version: 5,
  suite: 'bookworm',
  variant: 'minbase',
  mirrors: [
    'deb http://deb.debian.org/debian bookworm main',
    'deb http://deb.debian.org/debian bookworm-updates main',
    'deb http://deb.debian.org/debian-security bookworm-security main',
  ],
  packages: [
    'systemd', 'systemd-sysv', 'dbus', 'libpam-systemd', 'openssh-server', 'sudo', 'iproute2',
    'ca-certificates', 'procps', 'netbase', 'python3', 'git', 'cron', 'less',
  ],
  dpkgExcludes: ['/usr/share/man/*', '/usr/share/info/*', '/usr/share/doc/*', '/usr/share/locale/*'],
  dpkgIncludes: ['/usr/share/doc/*/copyright', '/usr/share/locale/locale.alias'],
  /** Units that grab the apt lock, spin on a console, or do nothing useful in a throwaway host. */
  masked: [
    'apt-daily.timer', 'apt-daily-upgrade.timer', 'apt-daily.service', 'apt-daily-upgrade.service',
    'dpkg-db-backup.timer', 'e2scrub_all.timer', 'fstrim.timer',
    'console-getty.service', 'container-getty@.service', 'getty@.service', 'serial-getty@.service',
    'getty.target', 'systemd-networkd-wait-online.service',
  ],
  sshd: [
    'PermitRootLogin prohibit-password',
    'HostKey /etc/ssh/ssh_host_ed25519_key',
    'UseDNS no',
    'PrintMotd no',
    'MaxStartups 200:30:400',
    'MaxSessions 64',
  ],
  users: [
    { name: 'deploy', uid: 1000, password: 'deploy', sudoers: 'deploy ALL=(ALL:ALL) NOPASSWD: ALL' },
    { name: 'sudopw', uid: 1001, password: 'sudopw', sudoers: 'sudopw ALL=(ALL:ALL) ALL' },
  ],
};

export function recipeHash(): string {
  return createHash('sha256').update(JSON.stringify(IMAGE_RECIPE)).digest('hex').slice(0, 16);
}

export interface LabImage {
  dir: string;
  hash: string;
  /** True when this call built it (cold), with the build time. */
  built: boolean;
  buildMs?: number;
}

/**
 * Return the cached image for the current recipe, building it first if needed. `aptProxy`
 * (e.g. "http://10.199.0.1:3142") routes the build's downloads through the lab's apt cache,
 * so a rebuild after a recipe change fetches only what is new.
 */
export async function ensureImage(cacheDir: string, log: (m: string) => void, aptProxy?: string): Promise<LabImage> {
  const hash = recipeHash();
  const imagesDir = join(cacheDir, 'images');
  const dir = join(imagesDir, hash);
  if (existsSync(join(dir, '.keel-lab-image'))) return { dir, hash, built: false };
  mkdirSync(imagesDir, { recursive: true });
  const tmp = join(imagesDir, `${hash}.tmp-${process.pid}`);
  await removeTree(tmp);
  const started = Date.now();
  log(`building lab image ${hash} (mmdebstrap, about 30 s)`);
  try {
    await bootstrap(tmp, join(imagesDir, `${hash}.build.log`), aptProxy);
    await customise(tmp);
    writeFileSync(join(tmp, '.keel-lab-image'), JSON.stringify({ hash, recipe: IMAGE_RECIPE, built: new Date() }, null, 2));
    if (existsSync(dir)) await removeTree(tmp); // another process won the race
    else renameSync(tmp, dir);
  } catch (e) {
    await removeTree(tmp);
    throw e;
  }
  const buildMs = Date.now() - started;
  log(`lab image ${hash} built in ${(buildMs / 1000).toFixed(1)} s`);
  return { dir, hash, built: true, buildMs };
}

/** Image directories of older recipes (not removed automatically: a running lab may use one). */
export function staleImages(cacheDir: string): string[] {
  const imagesDir = join(cacheDir, 'images');
  if (!existsSync(imagesDir)) return [];
  return readdirSync(imagesDir)
    .filter((n) => /^[0-9a-f]{16}$/.test(n) && n !== recipeHash() && statSync(join(imagesDir, n)).isDirectory())
    .map((n) => join(imagesDir, n));
}

async function bootstrap(target: string, logFile: string, aptProxy?: string): Promise<void> {
  const r = IMAGE_RECIPE;
  const args = [
    ...(aptProxy ? [`--aptopt=Acquire::http::Proxy "${aptProxy}"`] : []),
    `--variant=${r.variant}`,
    `--include=${r.packages.join(',')}`,
    '--skip=cleanup/apt/lists', // keep the package lists: apt-get install works at once
    '--aptopt=Acquire::Languages "none"',
    ...r.dpkgExcludes.map((p) => `--dpkgopt=path-exclude=${p}`),
    ...r.dpkgIncludes.map((p) => `--dpkgopt=path-include=${p}`),
    r.suite,
    target,
    ...r.mirrors,
  ];
  const res = await run('mmdebstrap', args, { allowFail: true, timeoutMs: 20 * 60_000 });
  writeFileSync(logFile, `mmdebstrap ${args.join(' ')}\n${res.stdout}\n${res.stderr}`);
  if (res.code !== 0) {
    const tail = res.stderr.trim().split('\n').slice(-6).join('\n');
    throw new KeelError('E_LAB', `building the lab image failed: ${tail}`, {
      hint: `full log: ${logFile}`,
    });
  }
}

async function customise(root: string): Promise<void> {
  const r = IMAGE_RECIPE;
  for (const f of readdirSync(join(root, 'etc/ssh'))) {
    if (f.startsWith('ssh_host_')) rmSync(join(root, 'etc/ssh', f));
  }
  // mmdebstrap keeps its --aptopt lines here: drop the build-time proxy (hosts get their own)
  writeFileSync(join(root, 'etc/apt/apt.conf.d/99mmdebstrap'), 'Acquire::Languages "none";\n');
  writeFileSync(join(root, 'etc/machine-id'), '');
  rmSync(join(root, 'var/lib/dbus/machine-id'), { force: true });
  writeFileSync(join(root, 'etc/resolv.conf'), '# keel lab hosts have no resolver: apt goes through the proxy\n');
  writeFileSync(join(root, 'etc/hostname'), 'localhost\n');
  await run('systemctl', [`--root=${root}`, 'mask', ...r.masked]);
  writeFileSync(join(root, 'etc/ssh/sshd_config.d/keel-lab.conf'), r.sshd.join('\n') + '\n');
  for (const u of r.users) {
    await run('chroot', [root, 'useradd', '--create-home', '--shell', '/bin/bash', '--uid', String(u.uid), '--user-group', u.name]);
    mkdirSync(join(root, 'home', u.name, '.ssh'), { recursive: true, mode: 0o700 });
    await run('chroot', [root, 'chown', `${u.name}:${u.name}`, `/home/${u.name}/.ssh`]);
    writeFileSync(join(root, 'etc/sudoers.d', u.name), u.sudoers + '\n', { mode: 0o440 });
  }
  await run('chroot', [root, 'chpasswd'], { input: r.users.map((u) => `${u.name}:${u.password}\n`).join('') });
  mkdirSync(join(root, 'root/.ssh'), { recursive: true, mode: 0o700 });
}
