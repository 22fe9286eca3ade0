import { describe, expect, it } from 'vitest';
import { join, resolve } from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { ConfigErrors, type KeelError } from '../errors.js';
import { loadInventory } from './index.js';

const F = 'test/fixtures/config';

function loadErrors(file: string): string[] {
  try {
    loadInventory(file);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigErrors);
    return (e as ConfigErrors).errors.map((x: KeelError) => `${x.pos?.file}:${x.pos?.line}:${x.pos?.column}: ${x.message}`);
  }
  throw new Error('loaded without errors');
}

describe('loadInventory', () => {
  it('reports malformed YAML with line and column', () => {
    expect(loadErrors(`${F}/badyaml/inventory.yaml`)).toEqual([
      `${F}/badyaml/inventory.yaml:3:3: invalid YAML: Flow map in block collection must be sufficiently indented and end with a }`,
    ]);
  });

  it('reports every inventory error together: unknown key, wrong type, missing state, unknown child', () => {
    const I = `${F}/badinv/inventory.yaml`;
    expect(loadErrors(I)).toEqual([
      `${I}:2:3: unknown key 'usr' for defaults: did you mean 'user'?`,
      `${I}:6:20: groups.web.hosts.web1.port: expected integer, found "22" (string)`,
      `${I}:6:35: state 'ngnix' not found: expected ${F}/badinv/states/ngnix.yaml; did you mean 'nginx'?`,
      `${I}:7:16: unknown group 'frontend' in children of web; did you mean 'frontends'?`,
    ]);
  });

  it('reports a missing file without a stack', () => {
    expect(loadErrors(`${F}/nope/inventory.yaml`)).toEqual([
      `undefined:undefined:undefined: cannot read ${F}/nope/inventory.yaml: no such file`,
    ]);
  });

  it('resolves hosts, groups (with children), states and connections', () => {
    const inv = loadInventory(`${F}/good/inventory.yaml`);
    expect(inv.dir).toBe(`${F}/good`);
    expect(inv.stateDir).toBe(resolve(`${F}/good/.keel`));
    expect([...inv.hosts.keys()]).toEqual(['bastion', 'localhost', 'web1', 'web2', 'fe1']);
    expect(inv.groups.get('web')!.hosts).toEqual(['web1', 'web2', 'fe1']);
    expect(inv.groups.get('web')!.children).toEqual(['frontends']);
    expect(inv.groups.get('frontends')!.hosts).toEqual(['fe1']);
    const fe1 = inv.hosts.get('fe1')!;
    expect(fe1.groups).toEqual(['web', 'frontends']);
    expect(fe1.states).toEqual(['base', 'nginx', 'app']);
    expect(fe1.pos).toEqual({ file: `${F}/good/inventory.yaml`, line: 28, column: 7 });
    expect(inv.hosts.get('web1')!.states).toEqual(['base', 'nginx', 'app', 'extra']);

    const web1 = inv.hosts.get('web1')!.connection;
    expect(web1).toMatchObject({ host: 'web1', connection: 'ssh', address: 'web1.example.com', port: 2222, user: 'deploy', become: false });
    expect(web1.identity).toBe(resolve(`${F}/good/keys/id_ed25519`));
    expect(web1.jump).toMatchObject({ host: 'bastion', address: '203.0.113.1', port: 22 });
    expect(fe1.connection.port).toBe(2200); // host beats group
    expect(inv.hosts.get('web2')!.connection.address).toBe('web2'); // address defaults to the name
    expect(inv.hosts.get('localhost')!.connection.connection).toBe('local');
    expect(inv.hosts.get('bastion')!.connection.jump).toBeUndefined();
  });
});

describe('variable precedence', () => {
  const P = `${F}/precedence/inventory.yaml`;

  it('built-in < vars < group (parents before children, then alphabetical) < host < --var', () => {
    const inv = loadInventory(P);
    const v = (h: string) => inv.hosts.get(h)!.vars;
    // built-in, overridable by vars
    expect(v('h4').keel_groups).toEqual([]);
    expect(v('h4').inventory_hostname).toBe('overridden-by-vars');
    expect(v('h4').p).toBe('all');
    // host beats group
    expect(v('h1').p).toBe('host');
    // child beats parent; groups by depth then name: alpha(0), parent(0), child(1)
    expect(inv.hosts.get('h2')!.groups).toEqual(['alpha', 'parent', 'child']);
    expect(v('h2').keel_groups).toEqual(['alpha', 'parent', 'child']);
    expect(v('h2').p).toBe('child');
    expect(v('h2').order).toBe('child');
    // unrelated groups: alphabetical, the later wins
    expect(v('h3').order).toBe('zeta');

    const cli = loadInventory(P, { vars: { p: 'cli', deep: { a: 1 } } });
    expect(cli.hosts.get('h1')!.vars.p).toBe('cli');
    expect(cli.hosts.get('h4')!.vars.deep).toEqual({ a: 1 });
  });

  it('merges mappings key by key across levels', () => {
    const inv = loadInventory(P, { vars: { nested: { b: 2 } } });
    expect(inv.hosts.get('h1')!.vars.nested).toEqual({ b: 2 });
  });
});

describe('inventory traps', () => {
  it('reports unknown jump hosts and group cycles', () => {
    const I = `${F}/traps/inventory.yaml`;
    expect(loadErrors(I)).toEqual([
      `${I}:2:13: jump host 'bastoin' is not an inventory host`,
      `${I}:5:19: group cycle: g1 -> g2 -> g1`,
    ]);
  });
});

describe('after: ordering between groups', () => {
  const write = (text: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-after-'));
    writeFileSync(join(dir, 'inventory.yaml'), text);
    return join(dir, 'inventory.yaml');
  };
  it('lists every host of the earlier groups', () => {
    const inv = loadInventory(write('groups:\n  db:\n    hosts: {db1: {}, db2: {}}\n  web:\n    after: db\n    hosts: {web1: {}}\n'));
    expect(inv.hosts.get('web1')!.after).toEqual(['db1', 'db2']);
    expect(inv.hosts.get('db1')!.after).toEqual([]);
  });
  it('refuses an unknown group and a cycle, with positions', () => {
    const f = write('groups:\n  db:\n    after: [web]\n    hosts: {db1: {}}\n  web:\n    after: [db, cache]\n    hosts: {web1: {}}\n');
    let msg = '';
    try {
      loadInventory(f);
    } catch (e) {
      msg = (e as ConfigErrors).format();
    }
    expect(msg).toContain(`${f}:3:12: after: cycle between groups db -> web -> db`);
  });
  it('names an unknown group where it is written', () => {
    const f = write('groups:\n  db:\n    hosts: {db1: {}}\n  web:\n    after: [dbs]\n    hosts: {web1: {}}\n');
    expect(() => loadInventory(f)).toThrow(ConfigErrors);
    try {
      loadInventory(f);
    } catch (e) {
      expect((e as ConfigErrors).format()).toContain(`${f}:5:13: after: 'dbs' is not a group; did you mean 'db'?`);
    }
  });
});
