/** Whether a path is a folder or lies below it: by path segments, never a string prefix ("states-evil" is not in "states"). */
import { isAbsolute, relative, resolve } from 'node:path';

export function isInside(path: string, dir: string): boolean {
  const rel = relative(resolve(dir), resolve(path));
  return rel === '' || (rel !== '..' && !rel.startsWith('../') && !isAbsolute(rel));
}
