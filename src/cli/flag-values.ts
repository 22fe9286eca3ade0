/** Values of command-line flags, checked when commander reads them: a bad one stops keel at once. */
import { UsageError } from '../errors.js';

/** `--forks 0` would run nothing and `--forks x` (NaN) everything at once: whole numbers >= min only. */
export const wholeNumber = (flag: string, min: number) => (v: string): number => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < min) {
    throw new UsageError(`${flag} expects a whole number >= ${min}, got ${JSON.stringify(v)}`);
  }
  return n;
};
