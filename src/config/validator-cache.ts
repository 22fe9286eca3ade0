/**
 * Validators of schemas that are not built in (a bundle's params: JSON Schemas in bundle.yaml),
 * kept between runs as ajv standalone code in the project's state directory (`state_dir`,
 * default `.keel/` beside the inventory; `cache/validators/`), named by the hash of the schema,
 * the ajv version and its options. Compiling one costs ajv's compiler and its meta-schema (about
 * as much as starting node); reading it back costs a file.
 *
 * What is read is run as code, so it is trusted no further than the project itself (whose
 * owner already decides what keel runs: states, `sources: exec` scripts): never from a user's
 * home (root under `sudo -E` would inherit another user's HOME), only from directories that are
 * no symlinks, owned by this user or root and writable by nobody else, checked from the state
 * directory down, and from a file opened without following symlinks and checked on its open
 * descriptor (no race between the check and the read). Any failure just means compiling again.
 */
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { writeFileAtomic } from '../atomic-write.js';

type Require = (id: string) => unknown;

/** The cache's folders, outermost first: the state directory, its cache/, and cache/validators/. */
export function validatorCacheDirs(stateDir: string): string[] {
  return [stateDir, join(stateDir, 'cache'), join(stateDir, 'cache', 'validators')];
}

/** The cached validator `name`, its standalone code run with `require` (which resolves ajv's runtime helpers). */
export function readCachedValidator(stateDir: string, name: string, require: Require): ValidateFunction | undefined {
  let fd: number | undefined;
  try {
    const dirs = validatorCacheDirs(stateDir);
    if (!dirs.every((d) => trustedDir(lstatSync(d)))) return undefined;
    fd = openSync(join(dirs[2], `${name}.cjs`), constants.O_RDONLY | constants.O_NOFOLLOW);
    const st = fstatSync(fd);
    if (!st.isFile() || !trustedOwner(st)) return undefined;
    const code = readFileSync(fd, 'utf8');
    const module = { exports: {} as unknown };
    new Function('require', 'module', 'exports', code)(require, module, module.exports);
    return typeof module.exports === 'function' ? (module.exports as ValidateFunction) : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Keep a validator's standalone code for the next run; a cache that cannot be written is no error. */
export function writeCachedValidator(stateDir: string, name: string, code: string): void {
  try {
    const dirs = validatorCacheDirs(stateDir);
    // the state directory is the project's (its owner sets who may write it: a drift cron user,
    // say); only the cache's own folders are made here, private
    if (!lstatSync(stateDir).isDirectory()) return;
    mkdirSync(dirs[2], { recursive: true, mode: 0o700 });
    if (dirs.every((d) => trustedDir(lstatSync(d)))) writeFileAtomic(join(dirs[2], `${name}.cjs`), code, 0o600);
  } catch {
    // read-only or full: compiled again next time
  }
}

function trustedDir(st: Stats): boolean {
  return st.isDirectory() && !st.isSymbolicLink() && trustedOwner(st);
}

/** Owned by this user (or root) and writable by nobody else: what it holds is run as code. */
function trustedOwner(st: Stats): boolean {
  const uid = process.geteuid?.() ?? 0;
  return (st.uid === uid || st.uid === 0) && (st.mode & 0o022) === 0;
}
