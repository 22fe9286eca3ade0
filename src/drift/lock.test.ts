import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireLock, LockBusyError, type LockInfo } from './lock.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'keel-lock-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const procStart = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
};

describe('drift lock', () => {
  it('creates the lock with pid and start time, and removes it on release', async () => {
    const dir = tmp();
    const lock = await acquireLock(dir);
    const info = JSON.parse(readFileSync(lock.path, 'utf8')) as LockInfo;
    expect(info.pid).toBe(process.pid);
    expect(info.procStart).toBe(procStart(process.pid));
    expect(statSync(lock.path).mode & 0o777).toBe(0o600);
    lock.release();
    expect(existsSync(lock.path)).toBe(false);
  });

  it('refuses at once while a live process holds it, naming the pid and since when', async () => {
    const dir = tmp();
    const lock = await acquireLock(dir);
    const err = await acquireLock(dir).catch((e) => e);
    expect(err).toBeInstanceOf(LockBusyError);
    expect(err.message).toMatch(new RegExp(`^another keel drift is running \\(pid ${process.pid} since \\d{4}-\\d\\d-\\d\\dT[^)]+\\); lock .*drift.lock: use --lock-timeout`));
    lock.release();
  });

  it('waits up to the timeout for the holder to finish', async () => {
    const dir = tmp();
    const lock = await acquireLock(dir);
    let released = false;
    setTimeout(() => {
      lock.release();
      released = true;
    }, 300);
    const second = await acquireLock(dir, { timeoutMs: 5000, pollMs: 50 });
    expect(released).toBe(true);
    second.release();
    const held = await acquireLock(dir);
    await expect(acquireLock(dir, { timeoutMs: 300, pollMs: 50 })).rejects.toThrow('still held after waiting 0 s');
    held.release();
  });

  it('takes over the lock of a process that is gone (a real process, killed)', async () => {
    const dir = tmp();
    const child = spawn('sleep', ['60'], { stdio: 'ignore' });
    await new Promise((r) => child.once('spawn', r));
    const pid = child.pid!;
    const info: LockInfo = { pid, procStart: procStart(pid), startedAt: '2026-01-01T00:00:00.000Z', command: 'keel drift' };
    writeFileSync(join(dir, 'drift.lock'), JSON.stringify(info));
    // alive: refused
    await expect(acquireLock(dir)).rejects.toThrow(`pid ${pid} since 2026-01-01T00:00:00.000Z`);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const stale: LockInfo[] = [];
    const lock = await acquireLock(dir, { onStale: (h) => stale.push(h) });
    expect(stale.map((s) => s.pid)).toEqual([pid]);
    expect(JSON.parse(readFileSync(lock.path, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('treats a live pid with another start time as a reused pid (stale)', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'drift.lock'), JSON.stringify({ pid: process.pid, procStart: '1', startedAt: 'x', command: 'keel drift' }));
    const stale: LockInfo[] = [];
    const lock = await acquireLock(dir, { onStale: (h) => stale.push(h) });
    expect(stale).toHaveLength(1);
    lock.release();
  });
});
