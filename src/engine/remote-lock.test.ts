import { mkdtempSync, statSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalTransport } from '../transport/local.js';
import { acquireRemoteLock, describeHolder, holderLine, HostLockedError } from './remote-lock.js';
import { parseLockEvents } from './lock-script.js';

// The real lock script under the real local shell, in a directory of this file's own: the default
// lock is machine-wide, and other test files converge local hosts (taking it) at the same time.
const t = new LocalTransport('localhost');
const dir = join(mkdtempSync(join(tmpdir(), 'keel-lock-test-')), 'locks');
const settings = (timeoutSeconds: number, command: string, onWait?: (h: string, who: string) => void) => ({ timeoutSeconds, command, onWait, dir });
const lockPath = () => join(dir, 'run.lock');

describe('the host lock (local transport, real flock)', () => {
  it('refuses a second run after the timeout, naming the holder', async () => {
    const first = await acquireRemoteLock(t, false, settings(60, 'keel converge -i first.yaml'));
    try {
      const second = acquireRemoteLock(t, false, settings(0, 'keel converge -i second.yaml'));
      await expect(second).rejects.toBeInstanceOf(HostLockedError);
      await expect(second).rejects.toThrow(new RegExp(`keel converge -i first\\.yaml \\(pid ${process.pid} on ${hostname()}, started \\d{4}-`));
    } finally {
      await first.release();
    }
  });

  it('lets a waiting run proceed as soon as the first one releases', async () => {
    const first = await acquireRemoteLock(t, false, settings(60, 'keel converge -i first.yaml'));
    let released = false;
    let tell!: (who: string) => void;
    const told = new Promise<string>((resolve) => (tell = resolve));
    const second = acquireRemoteLock(t, false, settings(60, 'keel converge -i second.yaml', (_h, who) => tell(who)));
    expect(await told).toMatch(/^keel converge -i first\.yaml \(pid /);
    const got = second.then((lock) => ({ lock, afterRelease: released }));
    released = true;
    await first.release();
    const { lock, afterRelease } = await got;
    expect(afterRelease).toBe(true);
    await lock.release();
  });

  it('keeps the lock file 0600 in a 0700 directory, empty once released', async () => {
    const lock = await acquireRemoteLock(t, false, settings(60, 'keel converge'));
    expect(statSync(lockPath()).mode & 0o777).toBe(0o600);
    expect(statSync(lockPath().replace(/\/run\.lock$/, '')).mode & 0o777).toBe(0o700);
    await lock.release();
    expect(statSync(lockPath()).size).toBe(0);
  });
});

describe('lock protocol (pure)', () => {
  it('reads only complete event lines', () => {
    expect(parseLockEvents('keel-lock waiting {"a":1}\nkeel-lock acq')).toEqual([{ kind: 'waiting', detail: '{"a":1}' }]);
  });

  it('describes a holder from its line, or quotes a foreign one', () => {
    expect(describeHolder(holderLine('keel drift -i x', new Date('2026-01-02T03:04:05Z')))).toBe(
      `keel drift -i x (pid ${process.pid} on ${hostname()}, started 2026-01-02T03:04:05.000Z)`,
    );
    expect(describeHolder('someone\n')).toBe('"someone"');
    expect(describeHolder('')).toBe('a run that has not written its name yet');
  });
});
