/**
 * Where the controller's age identity lives, and reading and writing it. The first that is set
 * wins: `KEEL_AGE_KEY_FILE`, the inventory's `secrets: {identity: ...}`, ~/.config/keel/age.key.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { identityProblem, parseIdentityFile } from './age.js';

export interface IdentityLocation {
  path: string;
  /** What chose the path, for messages: `KEEL_AGE_KEY_FILE=...`, `secrets.identity in inventory.yaml`. */
  from: string;
}

export const DEFAULT_KEY_FILE = join('~', '.config', 'keel', 'age.key');

export function defaultKeyFile(): string {
  return join(homedir(), '.config', 'keel', 'age.key');
}

/** `inventoryIdentity`: the inventory's `secrets.identity`, already resolved to a path. */
export function identityLocation(env: NodeJS.ProcessEnv, inventoryIdentity?: { path: string; file: string }): IdentityLocation {
  const fromEnv = env.KEEL_AGE_KEY_FILE;
  if (fromEnv) return { path: fromEnv, from: `KEEL_AGE_KEY_FILE=${fromEnv}` };
  if (inventoryIdentity) return { path: inventoryIdentity.path, from: `secrets.identity in ${inventoryIdentity.file}` };
  return { path: defaultKeyFile(), from: `the default ${DEFAULT_KEY_FILE} (KEEL_AGE_KEY_FILE unset)` };
}

/** The identities in the file, or why there are none usable. */
export function readIdentities(loc: IdentityLocation): { identities: string[] } | { problem: string } {
  let text: string;
  try {
    text = readFileSync(loc.path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { problem: code === 'ENOENT' ? `no age identity: ${loc.path} does not exist (${loc.from})` : `cannot read ${loc.path} (${loc.from}): ${(e as Error).message}` };
  }
  const identities = parseIdentityFile(text);
  if (identities.length === 0) return { problem: `no age identity in ${loc.path} (${loc.from}): expected a line AGE-SECRET-KEY-1...` };
  const bad = identities.findIndex((id) => identityProblem(id) !== undefined);
  // the key's own text never goes into a message
  if (bad >= 0) return { problem: `${loc.path} (${loc.from}): line ${bad + 1} of its keys is not an age identity (expected AGE-SECRET-KEY-1...)` };
  return { identities };
}

/**
 * Write a new key file, mode 0600; a directory it creates is 0700. An existing file is kept
 * unless `force`: it may be the only key that decrypts a repository's secrets.
 */
export function writeIdentityFile(path: string, text: string, force: boolean): void {
  const dir = dirname(path);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  const fd = openSync(path, force ? 'w' : 'wx', 0o600);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  // an overwritten file keeps its old mode: make it 0600 whatever it was
  chmodSync(path, 0o600);
}
