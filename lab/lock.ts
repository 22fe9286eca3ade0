/**
 * One labUp/labDown at a time per machine: two test runs (or a test run and a user) racing on
 * the same hosts would stop each other's hosts. A lock file holds the owner's pid; a lock whose
 * process is gone is taken over.
 */
import { mkdirSync, openSync, closeSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { KeelError } from '../src/errors.js';
import { sleep } from './exec.js';
import { isAlive } from '../src/proc.js';

const LOCK_DIR = '/run/keel-lab';
const LOCK_FILE = `${LOCK_DIR}/lock`;

function tryLock(): boolean {
  try {
    const fd = openSync(LOCK_FILE, 'wx');
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    let holder = NaN;
    try {
      holder = Number(readFileSync(LOCK_FILE, 'utf8').trim());
    } catch {
      return false; // released meanwhile: try again
    }
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) return false;
    rmSync(LOCK_FILE, { force: true }); // stale: its process is gone
    return false;
  }
}

let held = false;

/** Run `fn` holding the machine's lab lock; re-entrant within one process. */
export async function withLabLock<T>(what: string, fn: () => Promise<T>, timeoutMs = 15 * 60_000): Promise<T> {
  if (held) return fn();
  mkdirSync(LOCK_DIR, { recursive: true });
  const deadline = Date.now() + timeoutMs;
  while (!tryLock()) {
    if (Date.now() > deadline) {
      throw new KeelError('E_LAB', `${what}: another keel lab command has held ${LOCK_FILE} for ${timeoutMs / 1000} s`);
    }
    await sleep(100);
  }
  held = true;
  try {
    return await fn();
  } finally {
    held = false;
    rmSync(LOCK_FILE, { force: true });
  }
}
