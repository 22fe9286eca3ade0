/**
 * Validators of schemas that are not built in (a bundle's params: JSON Schemas in bundle.yaml),
 * kept between runs as ajv standalone code in the user's cache directory (KEEL_CACHE_DIR, else
 * $XDG_CACHE_HOME/keel, else ~/.cache/keel; `validators/`), named by the hash of the schema, the
 * ajv version and its options. Compiling one costs ajv's compiler and its meta-schema (about as
 * much as starting node); reading it back costs a file. Code is only read from a directory that
 * belongs to this user and that nobody else may write; any failure just means compiling again.
 */
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { writeFileAtomic } from '../atomic-write.js';

type Require = (id: string) => unknown;

export function validatorCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KEEL_CACHE_DIR) return join(env.KEEL_CACHE_DIR, 'validators');
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'keel', 'validators');
}

/** The cached validator `name`, its standalone code run with `require` (which resolves ajv's runtime helpers). */
export function readCachedValidator(dir: string, name: string, require: Require): ValidateFunction | undefined {
  try {
    if (!trusted(dir)) return undefined;
    const file = join(dir, `${name}.cjs`);
    if (!trusted(file)) return undefined;
    const module = { exports: {} as unknown };
    new Function('require', 'module', 'exports', readFileSync(file, 'utf8'))(require, module, module.exports);
    return typeof module.exports === 'function' ? (module.exports as ValidateFunction) : undefined;
  } catch {
    return undefined;
  }
}

/** Keep a validator's standalone code for the next run; a cache that cannot be written is no error. */
export function writeCachedValidator(dir: string, name: string, code: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (trusted(dir)) writeFileAtomic(join(dir, `${name}.cjs`), code, 0o600);
  } catch {
    // read-only or full: compiled again next time
  }
}

/** Owned by this user (or root) and writable by nobody else: what it holds is run as code. */
function trusted(path: string): boolean {
  const st = statSync(path);
  const uid = process.getuid?.() ?? 0;
  return (st.uid === uid || st.uid === 0) && (st.mode & 0o022) === 0;
}
