import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { loadInventory, selectHosts } from './index.js';

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
  });
});
