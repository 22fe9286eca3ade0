import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransportError } from '../../src/errors.js';
import { connectSsh, SshTransport } from '../../src/transport/ssh.js';
import type { Transport } from '../../src/transport/types.js';
import { knownHostsLine, makeKey, skipSsh, specFor, startSshd, type Sshd } from './sshd.js';

describe.skipIf(skipSsh)('ssh exec (real sshd)', () => {
  let dir: string;
  let sshd: Sshd;
  let t: Transport;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keel-ssh-exec-'));
    const key = await makeKey(dir, 'id_ed25519');
    sshd = await startSshd({ authorized: [key.pub] });
    await writeFile(join(dir, 'known_hosts'), knownHostsLine(sshd) + '\n');
    t = await connectSsh(specFor(sshd, { identity: key.path, knownHosts: join(dir, 'known_hosts') }));
  });
  afterAll(async () => {
    await t?.close();
    await sshd?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('returns stdout, stderr and the exit code, never rejecting on non-zero', async () => {
    const r = await t.exec('echo out; echo err >&2; exit 3');
    expect(r.code).toBe(3);
    expect(r.stdout.toString()).toBe('out\n');
    expect(r.stderr.toString()).toBe('err\n');
    expect((await t.exec('true')).code).toBe(0);
  });

  it('runs the script with sh -c, quoting intact', async () => {
    const r = await t.exec(`printf '%s|' "it's" '$HOME' "a  b"; echo`);
    expect(r.stdout.toString()).toBe(`it's|$HOME|a  b|\n`);
  });

  it('round-trips all 256 byte values through stdin, stdout and stderr', async () => {
    const bytes = Buffer.from(Array.from({ length: 256 * 4 }, (_, i) => i % 256));
    const r = await t.exec('cat; cat /dev/null', { stdin: bytes });
    expect(r.stdout.equals(bytes)).toBe(true);
    const e = await t.exec('cat >&2', { stdin: bytes });
    expect(e.stderr.equals(bytes)).toBe(true);
  });

  it('runs 20 execs at once on one connection', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => t.exec(`sleep 0.2; echo ${i}`)),
    );
    expect(results.map((r) => r.stdout.toString().trim())).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
  });

  it('kills a command that runs past its timeout, children included', async () => {
    const marker = join(dir, 'done');
    const err = await t.exec(`sleep 31.4159; touch ${marker}`, { timeoutMs: 500 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as Error).message).toMatch(/timed out after 500 ms/);
    // The kill travels on a second channel; give it a moment (root sessions start slowly here).
    let alive = true;
    for (let i = 0; i < 50 && alive; i++) {
      await new Promise((r) => setTimeout(r, 100));
      alive = execFileSync('ps', ['-eo', 'args']).toString().split('\n').some((l) => l.startsWith('sleep 31.4159'));
    }
    expect(alive).toBe(false);
    expect(existsSync(marker)).toBe(false);
    // The connection is still usable.
    expect((await t.exec('echo ok')).stdout.toString()).toBe('ok\n');
  });

  it('rejects in-flight and later execs with TransportError when the connection drops', async () => {
    const spec = specFor(sshd, { identity: join(dir, 'id_ed25519'), knownHosts: join(dir, 'known_hosts') });
    const t2 = (await connectSsh(spec)) as SshTransport;
    const running = t2.exec('sleep 5');
    await new Promise((r) => setTimeout(r, 300));
    (t2.sshClient as unknown as { _sock: { destroy(): void } })._sock.destroy();
    const err = await running.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as Error).message).toMatch(/connection to 127\.0\.0\.1:\d+ was lost/);
    await expect(t2.exec('true')).rejects.toBeInstanceOf(TransportError);
    await t2.close();
  });
});
