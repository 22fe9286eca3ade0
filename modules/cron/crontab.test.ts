import { describe, expect, it } from 'vitest';
import { checkSchedule, editCrontab, findEntry, splitJobLine } from './crontab.js';

describe('checkSchedule', () => {
  it.each([
    ['*/5 * * * *', '*/5 * * * *'],
    ['0  3 * *  1-5', '0 3 * * 1-5'],
    ['15,45 8-18/2 1 jan mon', '15,45 8-18/2 1 jan mon'],
    ['0 0 * * 7', '0 0 * * 7'],
    ['@daily', '@daily'],
    ['@reboot', '@reboot'],
  ])('accepts %j', (s, normalised) => expect(checkSchedule(s)).toEqual({ ok: true, schedule: normalised }));

  it.each([
    ['* * * *', 'expected 5 fields'],
    ['60 * * * *', 'minute field: 60 is out of range 0-59'],
    ['* 24 * * *', 'hour field: 24 is out of range'],
    ['* * 0 * *', 'day of month field: 0 is out of range 1-31'],
    ['* * * 13 *', 'month field'],
    ['* * * * 8', 'day of week field'],
    ['5-1 * * * *', 'backwards'],
    ['*/0 * * * *', 'step cannot be 0'],
    ['* * * jan-mar *', 'month field'],
    ['@sometimes', 'unknown special schedule'],
    ['x * * * *', 'minute field'],
  ])('rejects %j', (s, why) => {
    const r = checkSchedule(s);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(why);
  });
});

describe('editCrontab', () => {
  const base = 'SHELL=/bin/sh\n# a comment\n0 * * * * other\n';
  it('appends a new entry and keeps every other line', () => {
    expect(editCrontab(base, 'b', '@daily backup')).toBe(`${base}# keel: b\n@daily backup\n`);
  });
  it('replaces the job line under its marker only', () => {
    const t = `${base}# keel: b\n@daily backup\n# keel: c\n@hourly c\n`;
    expect(editCrontab(t, 'b', '5 4 * * * backup')).toBe(`${base}# keel: b\n5 4 * * * backup\n# keel: c\n@hourly c\n`);
  });
  it('removes the entry, leaving the rest', () => {
    expect(editCrontab(`# keel: b\n@daily backup\n${base}`, 'b', null)).toBe(base);
  });
  it('removes the last entry to an empty crontab', () => {
    expect(editCrontab('# keel: b\n@daily backup\n', 'b', null)).toBe('');
  });
  it('adds a final newline and collapses duplicate markers', () => {
    expect(editCrontab('# keel: b\n@daily x\n# keel: b\n@daily y', 'b', '@daily z')).toBe('# keel: b\n@daily z\n');
  });
  it('keeps the line below an orphaned marker when it is a comment', () => {
    expect(editCrontab('# keel: b\n# mine\n', 'b', '@daily z')).toBe('# keel: b\n@daily z\n# mine\n');
  });
  it('does not match a marker whose name merely starts the same', () => {
    expect(findEntry('# keel: backup-old\n@daily x\n', 'backup')).toBeUndefined();
  });
  it('is a no-op on an entry already in place', () => {
    const t = `${base}# keel: b\n@daily backup\n`;
    expect(editCrontab(t, 'b', '@daily backup')).toBe(t);
  });
});

describe('splitJobLine', () => {
  it('splits five fields or one special from the command', () => {
    expect(splitJobLine('*/5  * * * * echo  a b')).toEqual({ schedule: '*/5 * * * *', job: 'echo  a b' });
    expect(splitJobLine('@reboot /bin/start')).toEqual({ schedule: '@reboot', job: '/bin/start' });
  });

  it('splits on spaces and tabs only, as cron does: other spaces belong to the job', () => {
    expect(splitJobLine('0 0 * * *\t\u00a0echo\u2028x ')).toEqual({ schedule: '0 0 * * *', job: '\u00a0echo\u2028x ' });
    expect(splitJobLine('@daily \ufeffrun')).toEqual({ schedule: '@daily', job: '\ufeffrun' });
  });
});
