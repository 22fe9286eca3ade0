import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { wholeNumber } from './flag-values.js';

describe('wholeNumber', () => {
  const forks = wholeNumber('--forks', 1);
  it.each(['0', '-1', 'abc', '1.5', '', ' ', '2x', 'NaN', 'Infinity'])('refuses %j', (v) => {
    expect(() => forks(v)).toThrow(UsageError);
    expect(() => forks(v)).toThrow(`--forks expects a whole number >= 1, got ${JSON.stringify(v)}`);
  });
  it.each([['1', 1], ['20', 20], [' 3 ', 3], ['1e2', 100]])('reads %j as %d', (v, n) => {
    expect(forks(v)).toBe(n);
  });
  it('takes its minimum: --lock-timeout 0 is fine', () => {
    expect(wholeNumber('--lock-timeout', 0)('0')).toBe(0);
  });
});
