import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { loadInventory, selectHosts } from './index.js';
import { closestMatch } from './suggest.js';

const inv = loadInventory('test/fixtures/config/good/inventory.yaml');

describe('selectHosts', () => {
  it('selects every host without --limit', () => {
    expect(selectHosts(inv)).toEqual(['bastion', 'localhost', 'web1', 'web2', 'fe1']);
  });

  it.each([
    ['web1', ['web1']],
    ['web1,bastion', ['bastion', 'web1']],
    ['web1:web2', ['web1', 'web2']],
    ['web', ['web1', 'web2', 'fe1']], // child group members included
    ['frontends', ['fe1']],
    ['web*', ['web1', 'web2', 'fe1']], // glob over host and group names
    ['*1', ['web1', 'fe1']],
    ['all', ['bastion', 'localhost', 'web1', 'web2', 'fe1']],
    ['web:!frontends', ['web1', 'web2']],
    ['!web', ['bastion', 'localhost']],
    ['web,&frontends', ['fe1']],
    ['web*:&web:!web2', ['web1', 'fe1']],
  ])('--limit %s', (limit, expected) => {
    expect(selectHosts(inv, limit)).toEqual(expected);
  });

  it('fails when nothing matches', () => {
    expect(() => selectHosts(inv, 'db*')).toThrow(new ConfigError('no host matches --limit db*'));
    expect(() => selectHosts(inv, 'web1,&frontends')).toThrow('no host matches --limit web1,&frontends');
  });

  it('fails on a name that is neither a host nor a group, with a suggestion', () => {
    expect(() => selectHosts(inv, 'wbe1,bastion')).toThrow("--limit wbe1,bastion: no host or group named 'wbe1' (did you mean 'web1'?)");
    // two letters swapped: the group web, not a host one edit away in Levenshtein's count
    expect(() => selectHosts(inv, 'wbe')).toThrow("no host or group named 'wbe' (did you mean 'web'?)");
  });

  it('did you mean: a swap of neighbours is one edit and beats another one-edit name', () => {
    expect(closestMatch('wbe', ['wb3', 'web'])).toBe('web');
    expect(closestMatch('wbe', ['web1', 'wb3'])).toBe('wb3');
    expect(closestMatch('porxy', ['proxy', 'postgres'])).toBe('proxy');
    expect(closestMatch('zzzzzz', ['proxy'])).toBeUndefined();
    expect(closestMatch('web', ['web'])).toBeUndefined();
  });
});
