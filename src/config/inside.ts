/**
 * Whether a path is a folder or lies below it: by path segments, never a string prefix
 * ("states-evil" is not in "states"), and by where an existing path really is, so a symlink
 * inside the folder that points out of it does not count as inside.
 */
import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';

export function isInside(path: string, dir: string): boolean {
  const real = existsSync(path) && existsSync(dir);
  const rel = real ? relative(realpathSync(dir), realpathSync(path)) : relative(resolve(dir), resolve(path));
  return rel === '' || (rel !== '..' && !rel.startsWith('../') && !isAbsolute(rel));
}
