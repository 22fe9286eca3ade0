/** Values of command-line flags, checked when commander reads them: a bad one stops keel at once. */
import { UsageError } from '../errors.js';
import type { Serial } from '../engine/rollout.js';

/** `--forks 0` would run nothing and `--forks x` (NaN) everything at once: whole numbers >= min only. */
export const wholeNumber = (flag: string, min: number) => (v: string): number => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < min) {
    throw new UsageError(`${flag} expects a whole number >= ${min}, got ${JSON.stringify(v)}`);
  }
  return n;
};

/** `--max-fail-percentage 25` (a trailing % is allowed). */
export const percentage = (flag: string) => (v: string): number => {
  const n = Number(v.replace(/%$/, ''));
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100) throw new UsageError(`${flag} expects a percentage from 0 to 100, got ${JSON.stringify(v)}`);
  return n;
};

/** `--serial 2` (hosts per batch) or `--serial 25%` (of the targeted hosts). */
export function serialValue(v: string): Serial {
  if (v.endsWith('%')) {
    const percent = Number(v.slice(0, -1));
    if (v.length > 1 && Number.isFinite(percent) && percent > 0 && percent <= 100) return { percent };
  } else if (/^\d+$/.test(v) && Number(v) >= 1) {
    return { hosts: Number(v) };
  }
  throw new UsageError(`--serial expects a number of hosts (>= 1) or a percentage such as 25%, got ${JSON.stringify(v)}`);
}
