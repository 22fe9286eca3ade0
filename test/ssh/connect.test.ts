import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnreachableError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { connect } from '../../src/transport/connect.js';
import { connectSsh } from '../../src/transport/ssh.js';
import type { ConnectionSpec } from '../../src/transport/types.js';
import { freePort, keyPart, knownHostsLine, makeKey, run, skipSsh, specFor, startSshd, type KeyPair, type Sshd } from './sshd.js';

/** OpenSSH's own fingerprint of a public key line, to check ours against. */
async function sshKeygenFingerprint(dir: string, pubLine: string): Promise<string> {
  const f = join(dir, `fp-${Math.random()}.pub`);
  await writeFile(f, pubLine + '\n');
  return (await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', f])).stdout.split(' ')[1];
}

describe.skipIf(skipSsh)('ssh connect: host keys, auth, jump, retries (real sshd)', () => {
  let dir: string;
  let sshd: Sshd;
  let key: KeyPair;
  let encKey: KeyPair;
  let n = 0;
  /** A fresh known_hosts file holding `lines`. */
  const knownHosts = async (...lines: string[]) => {
    const f = join(dir, `known_hosts_${n++}`);
    await writeFile(f, lines.map((l) => l + '\n').join(''));
    return f;
  };
  const spec = async (over: Partial<ConnectionSpec> = {}) =>
    specFor(sshd, { identity: key.path, knownHosts: await knownHosts(knownHostsLine(sshd)), ...over });
  const failure = async (s: ConnectionSpec) => {
    const e = await connectSsh(s, { backoffMs: 20 }).then(
      (t) => t.close().then(() => undefined),
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(UnreachableError);
    return e as UnreachableError;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keel-ssh-connect-'));
    key = await makeKey(dir, 'id_ed25519');
    encKey = await makeKey(dir, 'id_encrypted', 'ecdsa', 'correct horse');
    sshd = await startSshd({ authorized: [key.pub, encKey.pub], hostKeyTypes: ['ed25519', 'rsa'] });
  });
  afterAll(async () => {
    await sshd?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('connects with a known host key and runs a command', async () => {
    const t = await connectSsh(await spec());
    expect((await t.exec('id -u')).stdout.toString()).toBe('0\n');
    await t.close();
  });

  it('refuses an unknown host key, with a hint about --accept-new', async () => {
    const e = await failure(await spec({ knownHosts: await knownHosts() }));
    expect(e.message).toMatch(/host key for lab \(root@127\.0\.0\.1:\d+\) is not known/);
    expect(e.hint).toMatch(/--accept-new/);
  });

  it('records an unknown key with acceptNew, and the next connection trusts it', async () => {
    const file = join(dir, 'new', 'sub', 'known_hosts');
    const t = await connectSsh(await spec({ knownHosts: file, acceptNew: true }));
    await t.close();
    const text = await readFile(file, 'utf8');
    expect(text).toBe(`[127.0.0.1]:${sshd.port} ${keyPart(sshd.hostPub)}\n`);
    const t2 = await connectSsh(await spec({ knownHosts: file }));
    await t2.close();
  });

  it('refuses a changed host key, naming both fingerprints as OpenSSH prints them', async () => {
    const other = await makeKey(dir, 'impostor');
    const e = await failure(await spec({ knownHosts: await knownHosts(`[127.0.0.1]:${sshd.port} ${keyPart(other.pub)}`), acceptNew: true }));
    expect(e.message).toMatch(/has CHANGED/);
    expect(e.message).toContain(await sshKeygenFingerprint(dir, other.pub));
    expect(e.message).toContain(await sshKeygenFingerprint(dir, sshd.hostPub));
    expect(e.hint).toMatch(/ssh-keygen -R/);
  });

  it('accepts a hashed known_hosts entry (ssh-keygen -H)', async () => {
    const file = await knownHosts(knownHostsLine(sshd));
    await run('ssh-keygen', ['-H', '-f', file]);
    expect(await readFile(file, 'utf8')).toMatch(/^\|1\|/);
    const t = await connectSsh(await spec({ knownHosts: file }));
    await t.close();
  });

  it('uses the key type known_hosts has (only the RSA key known, server prefers ed25519)', async () => {
    const file = await knownHosts(`[127.0.0.1]:${sshd.port} ${keyPart(sshd.hostPubs[1])}`);
    const t = await connectSsh(await spec({ knownHosts: file }));
    await t.close();
  });

  it('refuses a client key the server does not know, clearly and without retrying', async () => {
    const wrong = await makeKey(dir, 'id_wrong');
    const e = await failure(await spec({ identity: wrong.path, retries: 3 }));
    expect(e.message).toMatch(/authentication failed for root@127\.0\.0\.1:\d+/);
    expect(e.message).not.toMatch(/attempts/);
    expect(e.hint).toMatch(/authorized_keys/);
  });

  it('decrypts an identity with the passphrase from its env var, and explains a wrong one', async () => {
    process.env.KEEL_TEST_PASSPHRASE = 'correct horse';
    const t = await connectSsh(await spec({ identity: encKey.path, identityPassphraseEnv: 'KEEL_TEST_PASSPHRASE' }));
    await t.close();
    process.env.KEEL_TEST_PASSPHRASE = 'wrong';
    const e = await failure(await spec({ identity: encKey.path, identityPassphraseEnv: 'KEEL_TEST_PASSPHRASE' }));
    expect(e.message).toMatch(/cannot decrypt identity .*wrong passphrase/);
    expect(e.message).not.toContain('wrong\n');
    delete process.env.KEEL_TEST_PASSPHRASE;
    const unset = await failure(await spec({ identity: encKey.path, identityPassphraseEnv: 'KEEL_TEST_PASSPHRASE' }));
    expect(unset.message).toMatch(/\$KEEL_TEST_PASSPHRASE is not set/);
    const prompted = await connectSsh(await spec({ identity: encKey.path }), {
      promptPassphrase: async () => 'correct horse',
    });
    await prompted.close();
  });

  it('reaches a target through a jump host (forwardOut), verifying both host keys', async () => {
    const jump = await spec({ host: 'bastion' });
    const t = await connectSsh(await spec({ jump }));
    expect((await t.exec('echo through')).stdout.toString()).toBe('through\n');
    await t.close();
    const e = await failure(await spec({ jump, knownHosts: await knownHosts() }));
    expect(e.message).toMatch(/host key for lab .* via 127\.0\.0\.1:\d+\) is not known/);
  });

  it('--accept-new records an unknown jump host key too, and the next run trusts both', async () => {
    const file = join(dir, 'jump-new', 'known_hosts');
    const jump = await spec({ host: 'bastion', knownHosts: file });
    const t = await connect(await spec({ jump, knownHosts: file }), { log: silentLogger, acceptNew: true });
    expect((await t.exec('echo through')).stdout.toString()).toBe('through\n');
    await t.close();
    // one key, recorded once by the jump and matched for the target (same address and port)
    expect(await readFile(file, 'utf8')).toBe(`[127.0.0.1]:${sshd.port} ${keyPart(sshd.hostPub)}\n`);
    const again = await connect(await spec({ jump, knownHosts: file }), { log: silentLogger });
    await again.close();
  });

  it('gives UnreachableError after retrying a refused port', async () => {
    const port = await freePort();
    const started = Date.now();
    const e = await failure(await spec({ port, retries: 2 }));
    expect(e.message).toMatch(new RegExp(`cannot connect to root@127\\.0\\.0\\.1:${port}: connection refused \\(after 3 attempts\\)`));
    expect(e.hint).toMatch(/sshd running/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(60); // 20 + 40 ms of backoff
  });
});
