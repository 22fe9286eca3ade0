/**
 * become through sudo, against real sudoers rules: `keeltest` needs its password, `keeltestnp`
 * has NOPASSWD. Both users and the sudoers file are removed afterwards.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransportError } from '../../src/errors.js';
import { connectSsh } from '../../src/transport/ssh.js';
import type { ConnectionSpec, Transport } from '../../src/transport/types.js';
import { knownHostsLine, makeKey, run, skipSsh, specFor, startSshd, type Sshd } from './sshd.js';

const SUDOERS = '/etc/sudoers.d/keel-test';
const PASSWORD = 'pw-Keel-7f3a9c-secret';
const USERS = ['keeltest', 'keeltestnp'];
const hasSudo = existsSync('/usr/bin/sudo');
if (!skipSsh && !hasSudo && process.env.CI !== 'true') {
  console.warn('!!! SKIPPING SSH BECOME TESTS: sudo is not installed (apt-get install sudo) !!!');
}

describe.skipIf(skipSsh || (!hasSudo && process.env.CI !== 'true'))('ssh become via sudo (real sshd, real sudo)', () => {
  let dir: string;
  let sshd: Sshd;
  const open: Transport[] = [];
  let spec: (over?: Partial<ConnectionSpec>) => ConnectionSpec;
  const connect = async (over: Partial<ConnectionSpec>) => {
    const t = await connectSsh(spec({ become: true, ...over }));
    open.push(t);
    return t;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keel-ssh-become-'));
    const key = await makeKey(dir, 'id_ed25519');
    for (const user of USERS) {
      const exists = await run('id', [user]).then(() => true, () => false);
      if (!exists) await run('useradd', ['-m', '-s', '/bin/sh', user]);
      execFileSync('chpasswd', { input: `${user}:${PASSWORD}\n` });
    }
    await writeFile(SUDOERS, 'keeltest ALL=(ALL:ALL) ALL\nkeeltestnp ALL=(ALL:ALL) NOPASSWD: ALL\n', { mode: 0o440 });
    await run('visudo', ['-c', '-f', SUDOERS]);
    sshd = await startSshd({ authorized: [key.pub] });
    await writeFile(join(dir, 'known_hosts'), knownHostsLine(sshd) + '\n');
    spec = (over = {}) => specFor(sshd, { identity: key.path, knownHosts: join(dir, 'known_hosts'), ...over });
    process.env.KEEL_TEST_SUDO_PW = PASSWORD;
    process.env.KEEL_TEST_SUDO_BAD = 'not-the-password-1234';
  });
  afterAll(async () => {
    await Promise.all(open.map((t) => t.close()));
    await sshd?.stop();
    await rm(SUDOERS, { force: true });
    for (const user of USERS) await run('userdel', ['-r', user]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    delete process.env.KEEL_TEST_SUDO_PW;
    delete process.env.KEEL_TEST_SUDO_BAD;
  });

  it('runs as root with the password fed over stdin, the caller stdin intact', async () => {
    const t = await connect({ user: 'keeltest', becomePasswordEnv: 'KEEL_TEST_SUDO_PW' });
    expect((await t.exec('id -u')).stdout.toString()).not.toBe('0\n');
    const r = await t.exec('id -u; cat', { sudo: true, stdin: 'payload\nline 2' });
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe('0\npayload\nline 2');
    const bytes = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));
    expect((await t.exec('cat', { sudo: true, stdin: bytes })).stdout.equals(bytes)).toBe(true);
  });

  it('never shows the password in ps output', async () => {
    const t = await connect({ user: 'keeltest', becomePasswordEnv: 'KEEL_TEST_SUDO_PW' });
    const running = t.exec('sleep 2; id -u', { sudo: true });
    const seen: string[] = [];
    for (let i = 0; i < 15; i++) {
      seen.push(execFileSync('ps', ['-eo', 'args']).toString());
      await new Promise((r) => setTimeout(r, 150));
    }
    expect((await running).stdout.toString()).toBe('0\n');
    expect(seen.join('\n')).toMatch(/sudo -S -p '' -H -u root/); // the sudo was visible...
    expect(seen.join('\n')).not.toContain(PASSWORD); // ...its password never
  });

  it('explains a wrong password without revealing it', async () => {
    const t = await connect({ user: 'keeltest', becomePasswordEnv: 'KEEL_TEST_SUDO_BAD' });
    const e = await t.exec('id -u', { sudo: true }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(TransportError);
    expect((e as TransportError).message).toBe('sudo rejected the password from $KEEL_TEST_SUDO_BAD');
    expect((e as TransportError).format()).not.toContain('not-the-password-1234');
  });

  it('fails fast when sudo needs a password and none is configured', async () => {
    const t = await connect({ user: 'keeltest' });
    const e = await t.exec('id -u', { sudo: true }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(TransportError);
    expect((e as Error).message).toBe('sudo needs a password: set become_password_env');
  });

  it('works with NOPASSWD, with or without a configured password, stdin intact', async () => {
    const withPw = await connect({ user: 'keeltestnp', becomePasswordEnv: 'KEEL_TEST_SUDO_PW' });
    const r = await withPw.exec('id -u; cat', { sudo: true, stdin: 'only this\n' });
    expect(r.stdout.toString()).toBe('0\nonly this\n');
    const noPw = await connect({ user: 'keeltestnp' });
    expect((await noPw.exec('id -u; cat', { sudo: true, stdin: 'x' })).stdout.toString()).toBe('0\nx');
  });

  it('becomes another user than root (becomeUser)', async () => {
    const t = await connect({ user: 'keeltest', becomePasswordEnv: 'KEEL_TEST_SUDO_PW', becomeUser: 'nobody' });
    expect((await t.exec('id -un', { sudo: true })).stdout.toString()).toBe('nobody\n');
  });

  it('uses no sudo when already root', async () => {
    const t = await connect({ user: 'root' });
    const r = await t.exec('id -u; ps -o args= -p $PPID', { sudo: true });
    expect(r.stdout.toString()).toMatch(/^0\n/);
    expect(r.stdout.toString()).not.toMatch(/sudo/);
  });

  it('puts a file into a root-only folder through sudo, and not without it', async () => {
    const rootOnly = join(dir, 'root-only');
    await mkdir(rootOnly, { mode: 0o700 });
    const t = await connect({ user: 'keeltest', becomePasswordEnv: 'KEEL_TEST_SUDO_PW' });
    const target = join(rootOnly, 'secret.conf');
    await t.put(target, 'key = value\n', { sudo: true, mode: '0600' });
    expect(await readFile(target, 'utf8')).toBe('key = value\n');
    const st = await stat(target);
    expect([st.uid, st.mode & 0o777]).toEqual([0, 0o600]);
    const e = await t.put(target, 'nope', { sudo: false }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(TransportError);
    expect((e as Error).message).toMatch(/cannot write .*Permission denied/s);
    expect(await readFile(target, 'utf8')).toBe('key = value\n');
  });

  it('kills a timed-out command that runs as root through sudo', async () => {
    const t = await connect({ user: 'keeltest', becomePasswordEnv: 'KEEL_TEST_SUDO_PW' });
    await expect(t.exec('sleep 32.5172', { sudo: true, timeoutMs: 1500 })).rejects.toThrow(/timed out/);
    let alive = true;
    for (let i = 0; i < 50 && alive; i++) {
      await new Promise((r) => setTimeout(r, 100));
      alive = execFileSync('ps', ['-eo', 'args']).toString().split('\n').some((l) => l.startsWith('sleep 32.5172'));
    }
    expect(alive).toBe(false);
  });
});
