/**
 * One labUp/labDown at a time per lab name: two test runs (or a test run and a user) racing on
 * the same hosts would stop each other's hosts. Labs of other names have their own lock, so a
 * long boot of one never blocks another. A lock file holds the owner's pid; a lock whose
 * process is gone is taken over.
 */
import { mkdirSync, openSync, closeSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { KeelError } from '../src/errors.js';
import { sleep } from './exec.js';
import { isAlive } from '../src/proc.js';
import { DEFAULT_LAB_NAME, labNames } from './names.js';

const LOCK_DIR = '/run/keel-lab';

function tryLock(lockFile: string): boolean {
  try {
    const fd = openSync(lockFile, 'wx');
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    let holder = NaN;
    try {
      holder = Number(readFileSync(lockFile, 'utf8').trim());
    } catch {
      return false; // released meanwhile: try again
    }
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) return false;
    rmSync(lockFile, { force: true }); // stale: its process is gone
    return false;
  }
}

const held = new Set<string>();

/** Run `fn` holding the lock of the lab `name` (default `lab`); re-entrant within one process. */
export async function withLabLock<T>(what: string, fn: () => Promise<T>, name = DEFAULT_LAB_NAME, timeoutMs = 15 * 60_000): Promise<T> {
  const lockFile = `${LOCK_DIR}/lock${labNames(name).suffix}`;
  if (held.has(lockFile)) return fn();
  mkdirSync(LOCK_DIR, { recursive: true });
  const deadline = Date.now() + timeoutMs;
  while (!tryLock(lockFile)) {
    if (Date.now() > deadline) {
      throw new KeelError('E_LAB', `${what}: another keel lab command has held ${lockFile} for ${timeoutMs / 1000} s`);
    }
    await sleep(100);
  }
  held.add(lockFile);
  try {
    return await fn();
  } finally {
    held.delete(lockFile);
    rmSync(lockFile, { force: true });
  }
}
