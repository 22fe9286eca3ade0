/**
 * A real OpenSSH server on 127.0.0.1 for the SSH transport's tests: its own host key, config,
 * authorized_keys and pid file in a temp folder; ready once it answers with an SSH banner.
 * Needs root (sshd switches users). Outside CI a non-root run skips with one loud line; under
 * CI=true nothing is skipped.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtemp, mkdir, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ConnectionSpec } from '../../src/transport/types.js';

export const run = promisify(execFile);
const SSHD = '/usr/sbin/sshd';

const isRoot = process.getuid?.() === 0;
export { freePort } from '../helpers/free-port.js';
const inCi = process.env.CI === 'true';
/** True when these tests must be skipped (not root, not CI). */
export const skipSsh = !isRoot && !inCi;
if (skipSsh) console.warn('!!! SKIPPING SSH TRANSPORT TESTS: they start a real sshd and need root (or CI=true) !!!');


export interface KeyPair {
  path: string;
  pub: string;
}

export async function makeKey(dir: string, name: string, type = 'ed25519', passphrase = ''): Promise<KeyPair> {
  const path = join(dir, name);
  await run('ssh-keygen', ['-q', '-t', type, '-N', passphrase, '-C', name, '-f', path]);
  return { path, pub: (await readFile(`${path}.pub`, 'utf8')).trim() };
}

/** `type base64` of a public key line (what known_hosts holds after the host field). */
export function keyPart(pubLine: string): string {
  return pubLine.split(/\s+/).slice(0, 2).join(' ');
}

export interface Sshd {
  port: number;
  dir: string;
  /** Host public key line, `ssh-ed25519 AAAA... comment`. */
  hostPub: string;
  /** All host public keys, in the order of hostKeyTypes. */
  hostPubs: string[];
  authorizedKeys: string;
  stop(): Promise<void>;
}

async function waitForBanner(port: number, proc: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`sshd exited (${proc.exitCode}): ${stderr()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      let got = '';
      s.setTimeout(1000, () => { s.destroy(); resolve(false); });
      s.on('data', (d) => {
        got += d.toString('latin1');
        if (got.startsWith('SSH-2.0-')) { s.destroy(); resolve(true); }
      });
      s.on('error', () => resolve(false));
      s.on('close', () => resolve(got.startsWith('SSH-2.0-')));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`sshd on port ${port} never became ready: ${stderr()}`);
}

export async function startSshd(opts: { authorized: string[]; hostKeyTypes?: string[] }): Promise<Sshd> {
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 }); // privilege separation folder
  const dir = await mkdtemp(join(tmpdir(), 'keel-sshd-'));
  await chmod(dir, 0o755); // users other than root read authorized_keys from here
  const hostKeys = await Promise.all(
    (opts.hostKeyTypes ?? ['ed25519']).map((type) => makeKey(dir, `host_key_${type}`, type)),
  );
  const authorizedKeys = join(dir, 'authorized_keys');
  await writeFile(authorizedKeys, opts.authorized.join('\n') + '\n', { mode: 0o644 });
  // Test files run in parallel, each with its own sshd: a port picked by one could be taken by
  // another before sshd binds it. Try random ports below the ephemeral range and keep the one
  // whose listener really is this sshd.
  for (let attempt = 1; ; attempt++) {
    const port = 20_000 + randomInt(10_000);
    const started = await trySshd(dir, port, hostKeys, authorizedKeys).catch((e: Error) => e);
    if (!(started instanceof Error)) return started;
    if (attempt >= 5) throw started;
  }
}

async function trySshd(dir: string, port: number, hostKeys: KeyPair[], authorizedKeys: string): Promise<Sshd> {
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    ...hostKeys.map((k) => `HostKey ${k.path}`),
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${authorizedKeys}`,
    'UsePAM no',
    'StrictModes no',
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'AllowTcpForwarding yes',
    `LogLevel ${process.env.SSHD_LOGLEVEL ?? 'ERROR'}`,
  ];
  await writeFile(join(dir, 'sshd_config'), config.join('\n') + '\n');
  const proc = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    if (process.env.SSHD_LOGLEVEL) process.stderr.write(d);
  });
  try {
    await waitForBanner(port, proc, () => err);
    const listener = execFileSync('ss', ['-Hltnp', `sport = :${port}`]).toString();
    if (!listener.includes(`pid=${proc.pid},`)) throw new Error(`port ${port} answered, but not from this sshd (pid ${proc.pid}): ${listener}`);
  } catch (e) {
    proc.kill('SIGKILL');
    throw e;
  }
  return {
    port,
    dir,
    hostPub: hostKeys[0].pub,
    hostPubs: hostKeys.map((k) => k.pub),
    authorizedKeys,
    stop: async () => {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** known_hosts line for a server on 127.0.0.1. */
export function knownHostsLine(sshd: Sshd): string {
  return `[127.0.0.1]:${sshd.port} ${keyPart(sshd.hostPub)}`;
}

export function specFor(sshd: Sshd, over: Partial<ConnectionSpec> = {}): ConnectionSpec {
  return {
    host: 'lab',
    connection: 'ssh',
    address: '127.0.0.1',
    port: sshd.port,
    user: 'root',
    become: false,
    connectTimeoutMs: 5000,
    retries: 0,
    ...over,
  };
}
