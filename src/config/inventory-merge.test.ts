import { describe, expect, it } from 'vitest';
import { mergeLayers, type InventoryLayer } from './inventory-merge.js';
import { pathString } from './source.js';

/** A layer whose positions are `name:path` (line 0: no lines). */
const layer = (name: string, doc: Record<string, unknown>): InventoryLayer => ({
  doc,
  at: (p, key) => ({ file: name, line: 0, column: 0, path: `${pathString(p)}${key ? ' (key)' : ''}` }),
});
const where = (m: ReturnType<typeof mergeLayers>, p: (string | number)[], key = false) => {
  const pos = m.at(p, key);
  return `${pos.file}:${pos.path}`;
};

describe('mergeLayers', () => {
  const dyn = layer('cloud.sh', {
    vars: { app: { port: 1, user: 'a' }, region: 'x' },
    states: ['base'],
    hosts: { w1: { address: '10.0.0.1', port: 2222, vars: { rack: 1 }, states: ['a'] } },
    groups: { web: { hosts: ['w1', 'w2'], vars: { v: 1 }, states: ['nginx'], user: 'cloud' } },
  });
  const stat = layer('inventory.yaml', {
    vars: { app: { port: 2 } },
    states: 'base',
    hosts: { w1: { port: 22, states: ['b', 'a'] } },
    groups: { web: { hosts: { w3: { address: 'w3.example' } }, states: ['app'], user: 'deploy' }, db: { hosts: ['d1'] } },
  });
  const m = mergeLayers([dyn, stat]);

  it('later layers win for a setting; vars merge key by key; name lists are joined', () => {
    expect(m.doc).toEqual({
      vars: { app: { port: 2, user: 'a' }, region: 'x' },
      states: ['base'],
      hosts: { w1: { address: '10.0.0.1', port: 22, vars: { rack: 1 }, states: ['a', 'b'] } },
      groups: {
        // a list and a mapping of hosts: one mapping, the listed names with no settings
        web: { hosts: { w1: null, w2: null, w3: { address: 'w3.example' } }, vars: { v: 1 }, states: ['nginx', 'app'], user: 'deploy' },
        db: { hosts: ['d1'] },
      },
    });
  });

  it('points every merged path at the layer and path it came from', () => {
    expect(where(m, ['hosts', 'w1', 'address'])).toBe('cloud.sh:hosts.w1.address');
    expect(where(m, ['hosts', 'w1', 'port'])).toBe('inventory.yaml:hosts.w1.port');
    expect(where(m, ['hosts', 'w1', 'states', 1])).toBe('inventory.yaml:hosts.w1.states[0]');
    expect(where(m, ['groups', 'web', 'states', 1])).toBe('inventory.yaml:groups.web.states[0]');
    expect(where(m, ['groups', 'web', 'hosts', 'w2'], true)).toBe('cloud.sh:groups.web.hosts[1] (key)');
    expect(where(m, ['groups', 'web', 'hosts', 'w3', 'address'])).toBe('inventory.yaml:groups.web.hosts.w3.address');
    expect(where(m, ['vars', 'app', 'user'])).toBe('cloud.sh:vars.app.user');
    expect(where(m, ['groups', 'db', 'hosts', 0])).toBe('inventory.yaml:groups.db.hosts[0]');
    // a string `states: base` is the list's element itself
    expect(where(m, ['states', 0])).toBe('cloud.sh:states[0]');
  });

  it('one layer is itself', () => {
    const one = mergeLayers([stat]);
    expect(one.doc).toBe(stat.doc);
    expect(where(one, ['groups', 'web', 'user'])).toBe('inventory.yaml:groups.web.user');
  });
});
