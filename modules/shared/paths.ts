import { posix } from 'node:path';
import { ConfigError } from '../../src/errors.js';

/** Resource names of path-based modules must be absolute and in their simplest form. */
export function assertAbsolutePath(kind: string, path: string): void {
  if (!posix.isAbsolute(path)) {
    throw new ConfigError(`${kind}: path "${path}" must be absolute`, { resource: `${kind}:${path}` });
  }
  const clean = path.length > 1 ? posix.normalize(path).replace(/\/+$/, '') : path;
  if (clean !== path) {
    throw new ConfigError(`${kind}: path "${path}" is not in canonical form`, {
      resource: `${kind}:${path}`,
      hint: `write it as "${clean}"`,
    });
  }
}

/** "/a/b/c" -> ["/a/b", "/a"]: nearest first, the root excluded. */
export function parentDirs(path: string): string[] {
  const out: string[] = [];
  for (let dir = posix.dirname(path); dir !== '/' && dir !== '.'; dir = posix.dirname(dir)) out.push(dir);
  return out;
}
