/**
 * Where a state name points. From the inventory: `web` -> `states/web.yaml` beside it; a name
 * with a slash (`roles/web`) is relative to the inventory's directory. From an `include:` in a
 * state file: relative to that file's directory. `.yaml` is added unless the name ends with
 * `.yaml` or `.yml` (and `NAME.yml` is accepted when `NAME.yaml` does not exist).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { closestMatch } from './suggest.js';

export interface StateLocation {
  /** The file, when it exists. */
  file?: string;
  /** The path tried first: what the error message shows. */
  expected: string;
  /** A near name in the same directory, for "did you mean". */
  suggestion?: string;
}

export function locateState(baseDir: string, name: string, inStatesDir: boolean): StateLocation {
  const rel = inStatesDir && !name.includes('/') ? join('states', name) : name;
  const hasExt = /\.ya?ml$/.test(name);
  const candidates = hasExt ? [join(baseDir, rel)] : [join(baseDir, `${rel}.yaml`), join(baseDir, `${rel}.yml`)];
  const file = candidates.find(isFile);
  if (file) return { file, expected: candidates[0] };
  return { expected: candidates[0], suggestion: suggest(candidates[0], name) };
}

function isFile(p: string): boolean {
  try {
    return existsSync(p) && statSync(p).isFile();
  } catch {
    return false;
  }
}

function suggest(expected: string, name: string): string | undefined {
  let entries: string[];
  try {
    entries = readdirSync(dirname(expected));
  } catch {
    return undefined;
  }
  const prefix = name.includes('/') ? `${dirname(name)}/` : '';
  const stem = (f: string) => basename(f, extname(f));
  const names = entries.filter((f) => /\.ya?ml$/.test(f)).map((f) => prefix + (/\.ya?ml$/.test(name) ? f : stem(f)));
  return closestMatch(name, names);
}

export function stateNotFound(name: string, loc: StateLocation): string {
  const mean = loc.suggestion ? `; did you mean '${loc.suggestion}'?` : '';
  return `state '${name}' not found: expected ${loc.expected}${mean}`;
}
