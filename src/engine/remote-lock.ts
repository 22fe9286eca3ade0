/**
 * One converge (or drift) at a time per host: the lock lives on the host, held by a script on
 * the run's own connection (see lock-script.ts), so it ends with the run or the connection.
 */
import { hostname } from 'node:os';
import { KeelError } from '../errors.js';
import type { Transport } from '../transport/types.js';
import { lockScript, parseLockEvents, type LockEvent } from './lock-script.js';

export const DEFAULT_LOCK_TIMEOUT_SECONDS = 60;

/** Who holds a lock: written into the lock file, shown to whoever waits for it. */
export interface LockHolder {
  controller: string;
  pid: number;
  startedAt: string;
  command: string;
}

export interface LockSettings {
  timeoutSeconds: number;
  /** Shown to a run that waits for this one, e.g. "keel converge -i inventory.yaml". */
  command: string;
  /** Told once when the lock is busy and this run starts waiting. */
  onWait?(host: string, holder: string): void;
  /** Lock in this directory instead of the per-user default (for tests: the default is machine-wide). */
  dir?: string;
}

export interface RemoteLock {
  release(): Promise<void>;
}

/** The host is locked by another run and stayed so for the whole timeout. */
export class HostLockedError extends KeelError {
  override name = 'HostLockedError';
  constructor(message: string, host: string, hint?: string) {
    super('E_LOCKED', message, { host, hint });
  }
}

export function holderLine(command: string, now = new Date()): string {
  const h: LockHolder = { controller: hostname(), pid: process.pid, startedAt: now.toISOString(), command };
  return JSON.stringify(h);
}

/** "keel converge -i x (pid 42 on ctl, started T)", or the raw line if it is not ours. */
export function describeHolder(line: string): string {
  try {
    const h = JSON.parse(line) as LockHolder;
    if (typeof h.pid === 'number' && h.controller) return `${h.command} (pid ${h.pid} on ${h.controller}, started ${h.startedAt})`;
  } catch {
    // not JSON: an older or foreign holder
  }
  return line.trim() ? JSON.stringify(line.trim()) : 'a run that has not written its name yet';
}

export async function acquireRemoteLock(t: Transport, sudo: boolean, settings: LockSettings): Promise<RemoteLock> {
  if (!t.hold) throw new KeelError('E_LOCK', 'this transport cannot hold a host lock', { host: t.host });
  const held = t.hold(lockScript(settings.timeoutSeconds, settings.dir), { sudo, stdin: holderLine(settings.command) + '\n' });
  let out = '';
  const outcome = new Promise<LockEvent>((resolve) => {
    held.onStdout((chunk) => {
      out += chunk.toString('utf8');
      for (const e of parseLockEvents(out)) {
        if (e.kind === 'waiting') settings.onWait?.(t.host, describeHolder(e.detail));
        else return resolve(e);
      }
      out = out.slice(out.lastIndexOf('\n') + 1);
    });
    void held.exited.then(({ code, stderr }) =>
      resolve({ kind: 'error', detail: `the lock script ended (exit ${code ?? 'none'})${stderr.trim() ? `: ${stderr.trim().slice(-300)}` : ''}` }),
    );
  });
  const e = await outcome;
  if (e.kind === 'acquired') {
    return {
      async release() {
        held.end();
        await held.exited;
      },
    };
  }
  held.end();
  if (e.kind === 'timeout') {
    throw new HostLockedError(
      `another run holds this host's lock: ${describeHolder(e.detail)}; gave up after --lock-timeout ${settings.timeoutSeconds} s`,
      t.host,
      'wait for it to finish, or raise --lock-timeout',
    );
  }
  throw new KeelError('E_LOCK', `cannot take the host lock: ${e.detail}`, { host: t.host });
}
