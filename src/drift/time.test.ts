import { describe, expect, it } from 'vitest';
import { formatDuration, parseWhen } from './time.js';

const NOW = new Date('2026-01-10T12:00:00.000Z');

describe('parseWhen', () => {
  it.each([
    ['2d', '2026-01-08T12:00:00.000Z'],
    ['12h', '2026-01-10T00:00:00.000Z'],
    ['30m', '2026-01-10T11:30:00.000Z'],
    ['1w', '2026-01-03T12:00:00.000Z'],
    ['2026-01-05T10:00:00Z', '2026-01-05T10:00:00.000Z'],
  ])('%s', (v, iso) => expect(parseWhen(v, '--since', NOW)).toBe(iso));
  it('refuses nonsense with the forms it accepts', () => {
    expect(() => parseWhen('yesterday', '--since')).toThrow('--since "yesterday": expected a duration ago (30m, 12h, 2d, 1w) or a date/time');
  });
});

describe('formatDuration', () => {
  it.each([[42, '42s'], [60, '1m'], [3725, '1h2m'], [90061, '1d1h'], [86400, '1d']])('%d', (s, out) => expect(formatDuration(s)).toBe(out));
});
