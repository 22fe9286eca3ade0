/**
 * One drift run at a time per state directory: `<state dir>/drift.lock`, created with O_EXCL and
 * holding the owner's pid, its process start time (to tell it from a reused pid) and when it
 * started. A lock whose process is gone is taken over, with a log line saying so.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { KeelError } from '../errors.js';
import { procState } from '../proc.js';

export interface LockInfo {
  pid: number;
  /** Field 22 of /proc/PID/stat: with the pid, identifies the process. */
  procStart: string | null;
  startedAt: string;
  command: string;
}

export class LockBusyError extends KeelError {
  override name = 'LockBusyError';
  readonly holder: LockInfo;
  constructor(message: string, holder: LockInfo) {
    super('E_LOCKED', message);
    this.holder = holder;
  }
}

export interface Lock {
  path: string;
  release(): void;
}

function procStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** Is the process that wrote `info` still running (same pid, same start time)? */
export function holderAlive(info: LockInfo): boolean {
  if (!existsSync('/proc/self/stat')) {
    // no procfs (macOS, BSD): signal 0 tells whether the pid exists, without the start-time check
    try {
      process.kill(info.pid, 0);
      return true;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'EPERM';
    }
  }
  const state = procState(info.pid);
  if (state === undefined || state === 'Z' || state === 'X') return false;
  return info.procStart === null || procStart(info.pid) === info.procStart;
}

function readLock(path: string): LockInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
    return Number.isInteger(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Take the lock, waiting up to `timeoutMs` (0: fail at once) for a live holder. `onStale` is
 * told about each stale lock taken over.
 */
export async function acquireLock(stateDir: string, opts: { timeoutMs?: number; command?: string; onStale?: (info: LockInfo) => void; pollMs?: number } = {}): Promise<Lock> {
  mkdirSync(stateDir, { recursive: true });
  const path = join(stateDir, 'drift.lock');
  const deadline = Date.now() + (opts.timeoutMs ?? 0);
  const me: LockInfo = { pid: process.pid, procStart: procStart(process.pid), startedAt: new Date().toISOString(), command: opts.command ?? 'keel drift' };
  for (;;) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      try {
        writeSync(fd, JSON.stringify(me) + '\n');
      } finally {
        closeSync(fd);
      }
      let released = false;
      return {
        path,
        release: () => {
          if (released) return;
          released = true;
          // only remove our own lock (it may have been taken over if we were thought dead)
          if (readLock(path)?.pid === me.pid) rmSync(path, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new KeelError('E_LOCK', `cannot create ${path}: ${(e as Error).message}`, { cause: e });
    }
    const holder = readLock(path);
    if (!holder) {
      if (!existsSync(path)) continue; // released meanwhile
      // being written right now, or garbage left by a crash between create and write
      const again = await waitFor(path, 200);
      if (!again) {
        rmSync(path, { force: true });
        opts.onStale?.({ pid: 0, procStart: null, startedAt: '?', command: 'unreadable lock' });
      }
      continue;
    }
    if (!holderAlive(holder)) {
      opts.onStale?.(holder);
      // remove only if it is still that same stale lock (another waiter may have taken over first)
      if (readLock(path)?.pid === holder.pid) rmSync(path, { force: true });
      continue;
    }
    if (Date.now() >= deadline) {
      throw new LockBusyError(
        `another keel drift is running (pid ${holder.pid} since ${holder.startedAt}); lock ${path}` +
          (opts.timeoutMs ? ` still held after waiting ${Math.round(opts.timeoutMs / 1000)} s` : ': use --lock-timeout SECONDS to wait for it'),
        holder,
      );
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 250));
  }
}

/** Wait up to ms for the lock file to become readable; true when it did. */
async function waitFor(path: string, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, 20));
    if (readLock(path)) return true;
  }
  return false;
}
