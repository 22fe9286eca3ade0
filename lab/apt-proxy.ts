/**
 * The lab's apt proxy: Debian's apt-cacher-ng with a private config dir, listening only on the
 * bridge address and forwarding only to deb.debian.org (ForceManaged: nothing else is fetched).
 * Its cache lives under the image cache dir, so packages survive labDown and later labs. Each
 * lab (by name) runs its own on its own bridge, with its own dir (`apt-cacher-ng` for the default
 * lab, `apt-cacher-ng-<name>` for others: two instances never share a cache), so taking one lab
 * down leaves the other's apt working.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { KeelError } from '../src/errors.js';
import { sleep } from './exec.js';
import { isAlive, procArgv, readPidFile } from '../src/proc.js';

export const APT_PROXY_PORT = 3142;

export interface AptProxySpec {
  /** The proxy's own dir: cache, log, run and conf under it (see aptProxyBase). */
  base: string;
  /** Lab state dir: holds the pid file. */
  labDir: string;
  bindAddress: string;
}

export const aptProxyBase = (cacheDir: string, labSuffix: string): string => join(cacheDir, `apt-cacher-ng${labSuffix}`);

function config(spec: AptProxySpec): string {
  const base = spec.base;
  return [
    `CacheDir: ${join(base, 'cache')}`,
    `LogDir: ${join(base, 'log')}`,
    'SupportDir: /usr/lib/apt-cacher-ng',
    `Port: ${APT_PROXY_PORT}`,
    `BindAddress: ${spec.bindAddress}`,
    `SocketPath: ${join(base, 'run', 'socket')}`,
    'ForeGround: 1',
    'ForceManaged: 1',
    'ConnectProto: v4 v6',
    'ExThreshold: 4',
    'ReportPage: acng-report.html',
    'Remap-debrep: deb.debian.org/debian ftp.debian.org/debian /debian ; http://deb.debian.org/debian/',
    'Remap-secdeb: deb.debian.org/debian-security security.debian.org/debian-security security.debian.org /debian-security ; http://deb.debian.org/debian-security/',
    '',
  ].join('\n');
}

const pidFile = (labDir: string) => join(labDir, 'apt-cacher-ng.pid');

export function aptProxyPid(labDir: string): number | undefined {
  const pid = readPidFile(pidFile(labDir));
  if (pid === undefined || !isAlive(pid)) return undefined;
  return procArgv(pid)[0]?.endsWith('apt-cacher-ng') ? pid : undefined;
}

export function portOpen(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}


export async function ensureAptProxy(spec: AptProxySpec): Promise<void> {
  if (aptProxyPid(spec.labDir) !== undefined && (await portOpen(spec.bindAddress, APT_PROXY_PORT))) return;
  await stopAptProxy(spec.labDir);
  const confDir = join(spec.base, 'conf');
  for (const d of ['cache', 'log', 'run', 'conf']) mkdirSync(join(spec.base, d), { recursive: true });
  writeFileSync(join(confDir, 'acng.conf'), config(spec));
  const log = openSync(join(spec.labDir, 'apt-cacher-ng.log'), 'a');
  const child = spawn('apt-cacher-ng', ['-c', confDir], { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  child.unref();
  writeFileSync(pidFile(spec.labDir), `${child.pid}\n`);
  const deadline = Date.now() + 10_000;
  while (!(await portOpen(spec.bindAddress, APT_PROXY_PORT))) {
    if (Date.now() > deadline || !isAlive(child.pid)) {
      throw new KeelError('E_LAB', `apt-cacher-ng did not start on ${spec.bindAddress}:${APT_PROXY_PORT}`, {
        hint: `see ${join(spec.labDir, 'apt-cacher-ng.log')}; is another apt-cacher-ng bound to port ${APT_PROXY_PORT}?`,
      });
    }
    await sleep(50);
  }
}

export async function stopAptProxy(labDir: string): Promise<void> {
  const pid = aptProxyPid(labDir);
  if (pid !== undefined) {
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 5_000;
    while (isAlive(pid) && Date.now() < deadline) await sleep(50);
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
  rmSync(pidFile(labDir), { force: true });
}
