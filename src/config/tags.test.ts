import { describe, expect, it } from 'vitest';
import { ConfigError, UsageError } from '../errors.js';
import { checkTags, parseTags } from './tags.js';

describe('--tags', () => {
  it('reads a comma list, trimmed, each tag once; no flag selects everything', () => {
    expect(parseTags(' web, db ,web')).toEqual(['web', 'db']);
    expect(parseTags(undefined)).toEqual([]);
  });
  it.each(['', ',', ' , ,'])('refuses %j: it would select every resource', (raw) => {
    expect(() => parseTags(raw)).toThrow(UsageError);
  });
  const resources = [{ tags: ['web', 'config'] }, { tags: [] }, { tags: ['db'] }];
  it('accepts tags some resource has', () => {
    expect(() => checkTags(['db', 'web'], resources)).not.toThrow();
  });
  it('names every unknown tag and the known ones', () => {
    expect(() => checkTags(['web', 'confg', 'zzz'], resources)).toThrow(ConfigError);
    expect(() => checkTags(['web', 'confg', 'zzz'], resources)).toThrow("has the tag 'confg' (did you mean 'config'?), 'zzz'");
    try {
      checkTags(['zzz'], [{ tags: [] }]);
    } catch (e) {
      expect((e as ConfigError).hint).toBe('known tags: none');
    }
  });
});
