/**
 * What a rendered value may hold: YAML's data (strings, numbers, booleans, null, lists,
 * mappings). A template can yield more: a function (`{{ range }}`), or a string with a NUL
 * (`{{ "a\u0000b" }}`); both are refused where they were written instead of failing later
 * ("could not be cloned", or a path cut short on the host).
 */
import { FUNCTION_OUTPUT } from './no-function-output.js';
import type { PathSeg } from './source.js';

export interface Unplain {
  path: PathSeg[];
  why: string;
}

export function findUnplain(value: unknown, path: PathSeg[] = [], seen = new Set<object>()): Unplain | undefined {
  if (typeof value === 'function') {
    return { path, why: FUNCTION_OUTPUT };
  }
  if (typeof value === 'string') return value.includes('\0') ? { path, why: 'a NUL character (\\0) is not allowed in any value' } : undefined;
  if (typeof value === 'bigint' || typeof value === 'symbol') return { path, why: `a ${typeof value} is not a value keel can use` };
  if (value === null || typeof value !== 'object') return undefined;
  const proto = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) {
    return { path, why: `a template expression here yields a ${proto?.constructor?.name ?? 'non-data'} object, not data` };
  }
  if (seen.has(value)) return { path, why: 'this value contains itself' };
  seen.add(value);
  const entries: [PathSeg, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  for (const [k, v] of entries) {
    if (typeof k === 'string' && k.includes('\0')) return { path: [...path, k], why: 'a NUL character (\\0) is not allowed in a key' };
    const found = findUnplain(v, [...path, k], seen);
    if (found) return found;
  }
  seen.delete(value);
  return undefined;
}
