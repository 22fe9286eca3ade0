import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransportError } from '../../src/errors.js';
import { connectSsh, SshTransport } from '../../src/transport/ssh.js';
import type { Transport } from '../../src/transport/types.js';
import { knownHostsLine, makeKey, skipSsh, specFor, startSshd, type Sshd } from './sshd.js';

describe.skipIf(skipSsh)('ssh put (real sshd)', () => {
  let dir: string;
  let sshd: Sshd;
  let t: Transport;
  const spec = () => specFor(sshd, { identity: join(dir, 'id_ed25519'), knownHosts: join(dir, 'known_hosts') });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keel-ssh-put-'));
    const key = await makeKey(dir, 'id_ed25519');
    sshd = await startSshd({ authorized: [key.pub] });
    await writeFile(join(dir, 'known_hosts'), knownHostsLine(sshd) + '\n');
    t = await connectSsh(spec());
  });
  afterAll(async () => {
    await t?.close();
    await sshd?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const leftovers = async () => (await readdir(dir)).filter((f) => f.startsWith('.keel-'));

  it('writes content atomically with mode, owner and group', async () => {
    const target = join(dir, "a file's name");
    await writeFile(target, 'old\n');
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await t.put(target, bytes, { mode: '0640', owner: 'nobody', group: 'nogroup' });
    expect((await readFile(target)).equals(bytes)).toBe(true);
    const st = await stat(target);
    expect(st.mode & 0o7777).toBe(0o640);
    expect(st.uid).toBe(65534);
    expect(await leftovers()).toEqual([]);
  });

  it('gives a new file 0666 less the umask when no mode is set', async () => {
    const target = join(dir, 'plain');
    await t.put(target, 'x');
    expect((await stat(target)).mode & 0o777).toBe(0o644);
  });

  it('fails with TransportError and leaves nothing behind on a bad owner', async () => {
    const target = join(dir, 'bad-owner');
    await writeFile(target, 'keep\n');
    const err = await t.put(target, 'new', { owner: 'no-such-user-keel' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as Error).message).toMatch(/cannot write .*bad-owner.*no-such-user-keel/s);
    expect(await readFile(target, 'utf8')).toBe('keep\n');
    expect(await leftovers()).toEqual([]);
  });

  it('rejects an invalid mode before sending anything', async () => {
    await expect(t.put(join(dir, 'm'), 'x', { mode: '644; rm -rf /' })).rejects.toThrow(/invalid mode/);
  });

  it('keeps the old file intact when the connection dies mid-transfer', async () => {
    const target = join(dir, 'big');
    await writeFile(target, 'old content\n');
    const t2 = (await connectSsh(spec())) as SshTransport;
    const big = Buffer.alloc(256 * 1024 * 1024, 0x61);
    const putting = t2.put(target, big);
    // Wait until the temp file beside the target is growing, then cut the connection.
    let temp: string | undefined;
    for (let i = 0; i < 300; i++) {
      temp = (await leftovers())[0];
      if (temp && (await stat(join(dir, temp)).catch(() => undefined))?.size) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(temp).toBeDefined();
    (t2.sshClient as unknown as { _sock: { destroy(): void } })._sock.destroy();
    await expect(putting).rejects.toBeInstanceOf(TransportError);
    expect(await readFile(target, 'utf8')).toBe('old content\n');
    // The remote side sees a short file, refuses to rename it and removes it.
    for (let i = 0; i < 100 && (await leftovers()).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await leftovers()).toEqual([]);
    await t2.close();
  });
});
