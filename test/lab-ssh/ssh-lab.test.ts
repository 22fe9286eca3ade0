/**
 * SSH on real lab hosts: host keys (changed -> refused with both fingerprints), a wrong client
 * key, a jump host, become (sudo with and without a password), and an interrupted put.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { connectSsh } from '../../src/transport/ssh.js';
import type { ConnectionSpec } from '../../src/transport/types.js';
import { keel, keelJson } from '../helpers/keel.js';
import { labHosts, labSkip } from '../lab/lab-env.js';
import { labProject, onHost } from './lab-inventory.js';

describe.skipIf(!!labSkip)('SSH on lab hosts', () => {
  let lab: ReturnType<typeof labHosts>;
  const tag = randomBytes(3).toString('hex');
  const scratch = mkdtempSync(join(tmpdir(), 'keel-ssh-lab-'));
  const spec = (i: number, extra: Partial<ConnectionSpec> = {}): ConnectionSpec => ({
    host: lab[i].name, connection: 'ssh', address: lab[i].address, port: 22, user: 'root',
    identity: lab[i].identity, knownHosts: lab[i].knownHosts, become: false, retries: 0, ...extra,
  });

  beforeAll(() => {
    lab = labHosts();
  });

  it('refuses a changed host key, naming the expected and the offered fingerprints', async () => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(scratch, 'other')]);
    const otherKey = readFileSync(join(scratch, 'other.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
    const known = join(scratch, 'known_hosts_changed');
    writeFileSync(known, `${lab[0].address} ${otherKey}\n`);
    const p = labProject(lab, { [lab[0].name]: { address: lab[0].address, states: ['s'] } }, { known_hosts: known });
    p.writeState('s', `resources:\n  - file: /tmp/never-${tag}\n    content: "x"\n`);
    const res = await keelJson(['plan', '-i', p.inventory, '--accept-new']);
    expect(res.code).toBe(1);
    const host = res.report.hosts[0];
    expect(host.status).toBe('unreachable');
    expect(host.error).toMatch(/changed/i);
    const expected = execFileSync('ssh-keygen', ['-l', '-f', join(scratch, 'other.pub')]).toString().split(' ')[1];
    expect(host.error).toContain(expected);
    expect(host.error).toMatch(/SHA256:[A-Za-z0-9+/]{43}/g);
    expect(readFileSync(known, 'utf8')).toBe(`${lab[0].address} ${otherKey}\n`); // --accept-new never accepts a changed key
    await expect(onHost(lab[0], `test ! -e /tmp/never-${tag}`)).resolves.toBe('');
  });

  it('records an unknown host key only with --accept-new', async () => {
    const known = join(scratch, 'known_hosts_empty');
    writeFileSync(known, '');
    const p = labProject(lab, { [lab[1].name]: { address: lab[1].address, states: ['s'] } }, { known_hosts: known });
    p.writeState('s', `resources:\n  - directory: /tmp\n`);
    const refused = await keel(['plan', '-i', p.inventory]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/not known|unknown/i);
    const accepted = await keel(['plan', '-i', p.inventory, '--accept-new']);
    expect(accepted.code, accepted.stdout + accepted.stderr).toBe(0);
    expect(readFileSync(known, 'utf8')).toContain(lab[1].address);
    expect((await keel(['plan', '-i', p.inventory])).code).toBe(0);
  });

  it('refuses a client key the host does not know, with a clear message', async () => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(scratch, 'stranger')]);
    await expect(connectSsh(spec(0, { identity: join(scratch, 'stranger') }))).rejects.toThrow(/auth/i);
  });

  it('reaches a host through a jump host', async () => {
    const t = await connectSsh(spec(1, { jump: spec(0) }));
    try {
      const res = await t.exec('echo "$SSH_CONNECTION"');
      // the target sees the connection coming from the jump host's address
      expect(res.stdout.toString().split(' ')[0]).toBe(lab[0].address);
    } finally {
      await t.close();
    }
  });

  it('becomes root as deploy (passwordless sudo) and as sudopw (password over stdin, never in argv)', async () => {
    const p = labProject(lab, {
      [lab[2].name]: { address: lab[2].address, user: 'deploy', become: true, states: ['become'] },
    });
    p.writeState('become', `resources:\n  - file: /root/keel-become-${tag}\n    content: "root only\\n"\n    mode: "0600"\n    owner: root\n`);
    const res = await keel(['converge', '-i', p.inventory]);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(await onHost(lab[2], `stat -c %U:%a /root/keel-become-${tag}`)).toBe('root:600\n');

    process.env.KEEL_TEST_SUDO_PW = 'sudopw';
    const t = await connectSsh(spec(2, { user: 'sudopw', become: true, becomePasswordEnv: 'KEEL_TEST_SUDO_PW' }));
    try {
      const r = await t.exec('id -u; ps -eo args', { sudo: true });
      const [uid, ...ps] = r.stdout.toString().split('\n');
      expect(uid).toBe('0');
      expect(ps.join('\n')).not.toContain('sudopw\n');
      expect(ps.some((l) => l.includes('sudopw') && !l.startsWith('sshd'))).toBe(false);
    } finally {
      await t.close();
    }
  });

  it('leaves the old file intact when a put is cut off mid-transfer', async () => {
    const target = `/tmp/keel-put-${tag}`;
    await onHost(lab[0], `printf old > ${target}`);
    const t = await connectSsh(spec(0));
    const big = Buffer.alloc(64 << 20, 'n');
    const put = t.put(target, big, { mode: '0644' });
    setTimeout(() => (t as unknown as { sshClient: { end(): void } }).sshClient.end(), 150);
    await expect(put).rejects.toThrow();
    await t.close().catch(() => undefined);
    expect(await onHost(lab[0], `cat ${target}; ls -a /tmp | grep -c '^.keel-' || true`)).toMatch(/^old/);
  });
});

describe.skipIf(!!labSkip)('SSH authentication on lab hosts', () => {
  it('logs in with a password from password_env (deploy/deploy), and through ssh-agent', async () => {
    const lab = labHosts();
    const h = lab[2];
    // no identity at all (and HOME elsewhere, so no default key): the password only
    const p = labProject(lab, { [h.name]: { address: h.address, user: 'deploy', password_env: 'KEEL_TEST_SSH_PW', states: ['s'] } }, { identity: undefined });
    p.writeState('s', `resources:\n  - directory: /tmp\n`);
    const withPw = await keel(['plan', '-i', p.inventory], { env: { KEEL_TEST_SSH_PW: 'deploy', HOME: '/nonexistent', SSH_AUTH_SOCK: '' } });
    expect(withPw.code, withPw.stdout + withPw.stderr).toBe(0);
    const wrongPw = await keelJson(['plan', '-i', p.inventory], { env: { KEEL_TEST_SSH_PW: 'wrong', HOME: '/nonexistent', SSH_AUTH_SOCK: '' } });
    expect(wrongPw.code).toBe(1);
    expect(wrongPw.report.hosts[0].status).toBe('unreachable');
    expect(wrongPw.stdout + wrongPw.stderr).not.toContain('wrong"');

    // a real ssh-agent holding the lab key, no identity and no password configured
    const dir = mkdtempSync(join(tmpdir(), 'keel-agent-'));
    const sock = join(dir, 'agent.sock');
    const agent = execFileSync('ssh-agent', ['-a', sock]).toString();
    const pid = /SSH_AGENT_PID=(\d+)/.exec(agent)![1];
    try {
      execFileSync('ssh-add', ['-q', h.identity], { env: { ...process.env, SSH_AUTH_SOCK: sock } });
      writeFileSync(p.inventory, readFileSync(p.inventory, 'utf8').replace(/\n\s*password_env: .*/, ''));
      expect(readFileSync(p.inventory, 'utf8')).not.toMatch(/identity|password_env/);
      const viaAgent = await keel(['plan', '-i', p.inventory], { env: { SSH_AUTH_SOCK: sock, HOME: '/nonexistent' } });
      expect(viaAgent.code, viaAgent.stdout + viaAgent.stderr).toBe(0);
    } finally {
      process.kill(Number(pid));
    }
  });
});
