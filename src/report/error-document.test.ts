import { describe, expect, it } from 'vitest';
import { ConfigError, ConfigErrors, UsageError } from '../errors.js';
import { errorDocument } from './error-document.js';
import { effectiveLogLevel } from '../cli/log-flags.js';

describe('errorDocument', () => {
  it('one entry per error of a ConfigErrors, with its place, host, resource and hint', () => {
    const doc = errorDocument(
      new ConfigErrors([
        new ConfigError('bad mode', { pos: { file: 's.yaml', line: 3, column: 7 }, host: 'web1', resource: 'file:/a', hint: 'quote it' }),
        new ConfigError('bad port', { pos: { file: 'inventory-script', line: 0, column: 0, path: 'hosts.web1.port' } }),
      ]),
    );
    expect(doc).toEqual({
      errors: [
        { code: 'E_CONFIG', message: 'bad mode', file: 's.yaml', line: 3, column: 7, host: 'web1', resource: 'file:/a', hint: 'quote it' },
        { code: 'E_CONFIG', message: 'bad port', file: 'inventory-script', path: 'hosts.web1.port' },
      ],
    });
  });

  it('a single error, and anything that is not a KeelError as E_INTERNAL', () => {
    expect(errorDocument(new UsageError('--forks must be >= 1'))).toEqual({ errors: [{ code: 'E_USAGE', message: '--forks must be >= 1' }] });
    expect(errorDocument(new TypeError('x is undefined'))).toEqual({ errors: [{ code: 'E_INTERNAL', message: 'x is undefined' }] });
    expect(errorDocument('plain')).toEqual({ errors: [{ code: 'E_INTERNAL', message: 'plain' }] });
  });

  it('a position without a line (line 0) gives the file alone', () => {
    expect(errorDocument(new ConfigError('empty', { pos: { file: 'e.yaml', line: 0, column: 0 } })).errors[0]).toEqual({ code: 'E_CONFIG', message: 'empty', file: 'e.yaml' });
  });
});

describe('effectiveLogLevel', () => {
  it('-v is info, -vv (or more) debug, nothing the level given; an explicit --log-level wins', () => {
    expect(effectiveLogLevel('warn', 0, false)).toBe('warn');
    expect(effectiveLogLevel('warn', 1, false)).toBe('info');
    expect(effectiveLogLevel('warn', 2, false)).toBe('debug');
    expect(effectiveLogLevel('warn', 3, false)).toBe('debug');
    expect(effectiveLogLevel('error', 2, true)).toBe('error');
  });
});
