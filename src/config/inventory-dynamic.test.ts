/**
 * Dynamic inventory end to end in loadInventory, with real executables written to a temp dir:
 * `sources:` merged with the static part, `-i SCRIPT`, and every way a script can fail.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigErrors } from '../errors.js';
import { loadInventory } from './index.js';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'keel-dyninv-'));
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(join(dir, name), text);
    if (name.endsWith('.sh')) chmodSync(join(dir, name), 0o755);
  }
  return dir;
}

/** A script printing `json` (an object: printed as JSON; a string: printed as is). */
const printing = (json: unknown) => `#!/bin/sh\ncat <<'EOF'\n${typeof json === 'string' ? json : JSON.stringify(json)}\nEOF\n`;

function loadError(file: string): string {
  try {
    loadInventory(file);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigErrors);
    return (e as ConfigErrors).format();
  }
  throw new Error('loaded without errors');
}

describe('dynamic inventory: sources merged with the static part', () => {
  it('gives a script group states and vars from inventory.yaml; static wins for the same key', () => {
    const dir = project({
      'cloud.sh': printing({
        vars: { region: 'eu-west', owner: 'cloud' },
        hosts: { w1: { address: '10.0.0.1', port: 2222, vars: { rack: 'r1', size: 'small' } }, w3: { address: '10.0.0.3' } },
        groups: { web: { hosts: ['w1', 'w3'], vars: { http_port: 8080 } } },
      }),
      'inventory.yaml': [
        'sources: [{exec: ./cloud.sh}]',
        'vars: {region: eu-central}',
        'groups:',
        '  web:',
        '    states: [motd]',
        '    vars: {tls: true}',
        '    hosts:',
        '      w2: {address: 10.0.0.2}',
        'hosts:',
        '  w1: {port: 22, vars: {size: large}}',
        '',
      ].join('\n'),
    });
    mkdirSync(join(dir, 'states'));
    writeFileSync(join(dir, 'states', 'motd.yaml'), 'resources: []\n');
    const inv = loadInventory(join(dir, 'inventory.yaml'));
    expect([...inv.hosts.keys()].sort()).toEqual(['w1', 'w2', 'w3']);
    expect(inv.groups.get('web')!.hosts.sort()).toEqual(['w1', 'w2', 'w3']);
    const w1 = inv.hosts.get('w1')!;
    expect(w1.connection).toMatchObject({ address: '10.0.0.1', port: 22 });
    expect(w1.vars).toMatchObject({ region: 'eu-central', owner: 'cloud', rack: 'r1', size: 'large', http_port: 8080, tls: true });
    expect(w1.states).toEqual(['motd']);
    expect(inv.hosts.get('w3')!.states).toEqual(['motd']);
  });

  it('runs the script in the inventory directory, with --list, once per load', () => {
    const dir = project({
      'hosts.sh': '#!/bin/sh\necho "$*" >> calls.log\ncat data/hosts.json\n',
      'inventory.yaml': 'sources:\n  - exec: ./hosts.sh\n',
    });
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data', 'hosts.json'), JSON.stringify({ hosts: { a: null } }));
    const inv = loadInventory(join(dir, 'inventory.yaml'));
    expect([...inv.hosts.keys()]).toEqual(['a']);
    expect(readFileSync(join(dir, 'calls.log'), 'utf8')).toBe('--list\n');
  });

  it('takes `-i SCRIPT` alone: the documented example (Ansible format) and keel format', () => {
    const inv = loadInventory('examples/dynamic-inventory/cloud.sh');
    expect([...inv.hosts.keys()]).toEqual(['web1', 'web2', 'db1']);
    expect(inv.hosts.get('web2')!.connection).toMatchObject({ address: '10.0.1.12', port: 2222, user: 'root' });
    expect(inv.hosts.get('web1')!.vars).toMatchObject({ region: 'eu-west', http_port: 8080, rack: 'r1' });
    const dir = project({ 'inv.sh': printing({ hosts: { x: { connection: 'local' } } }) });
    expect(loadInventory(join(dir, 'inv.sh')).hosts.get('x')!.connection.connection).toBe('local');
  });

  it('loads the documented example: the static part wins and gives the script groups their states', () => {
    const inv = loadInventory('examples/dynamic-inventory/inventory.yaml');
    expect([...inv.hosts.keys()]).toEqual(['web1', 'web2', 'db1', 'bastion']);
    expect(inv.hosts.get('web1')!.vars).toMatchObject({ region: 'eu-central', http_port: 80 });
    expect(inv.hosts.get('web1')!.connection).toMatchObject({ user: 'deploy', knownHosts: expect.stringMatching(/known_hosts$/) });
    expect(inv.hosts.get('db1')!.states).toEqual(['motd']);
  });

  it('docs/inventory.md shows the example files as they are', () => {
    const doc = readFileSync('docs/inventory.md', 'utf8');
    for (const f of ['inventory.yaml', 'cloud.sh']) expect(doc).toContain(readFileSync(`examples/dynamic-inventory/${f}`, 'utf8'));
  });

  it('asks an Ansible script without _meta for each host (--host NAME)', () => {
    const dir = project({
      'old.sh': [
        '#!/bin/sh',
        'case "$1" in',
        `  --list) echo '{"web": {"hosts": ["w1", "w2"]}}' ;;`,
        `  --host) echo "{\\"ansible_host\\": \\"10.9.9.$(echo $2 | tr -d w)\\"}" ;;`,
        'esac',
        '',
      ].join('\n'),
    });
    const inv = loadInventory(join(dir, 'old.sh'));
    expect(inv.hosts.get('w2')!.connection.address).toBe('10.9.9.2');
  });

  it('keeps a YAML file with an x bit YAML', () => {
    const dir = project({ 'inventory.yaml': 'hosts: {a: {connection: local}}\n' });
    chmodSync(join(dir, 'inventory.yaml'), 0o755);
    expect([...loadInventory(join(dir, 'inventory.yaml')).hosts.keys()]).toEqual(['a']);
  });
});

describe('dynamic inventory: errors', () => {
  it('a non-zero exit: the script, its code and its stderr tail, at the sources entry', () => {
    const dir = project({
      'fail.sh': '#!/bin/sh\nfor i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo "line $i" >&2; done\necho "cloud API: 403 Forbidden" >&2\nexit 3\n',
      'inventory.yaml': 'sources:\n  - exec: ./fail.sh\n',
    });
    const err = loadError(join(dir, 'inventory.yaml'));
    expect(err).toBe(
      `${dir}/inventory.yaml:2:11: inventory script ./fail.sh --list exited with code 3; its stderr ends:\n` +
        [4, 5, 6, 7, 8, 9, 10, 11, 12].map((i) => `    line ${i}\n`).join('') +
        '    cloud API: 403 Forbidden',
    );
  });

  it('a timeout: "timed out after N s", and the script and its children are killed', async () => {
    const dir = project({
      'slow.sh': '#!/bin/sh\necho "waiting for the API" >&2\nsleep 60 &\necho $! > child.pid\nwait\n',
      'inventory.yaml': 'sources:\n  - {exec: ./slow.sh, timeout: 0.5}\n',
    });
    expect(loadError(join(dir, 'inventory.yaml'))).toBe(
      `${dir}/inventory.yaml:2:12: inventory script ./slow.sh --list timed out after 0.5 s; its stderr ends:\n    waiting for the API`,
    );
    const pid = Number(readFileSync(join(dir, 'child.pid'), 'utf8'));
    // the kill is sent before loading returns; the kernel ends the process when it next runs
    const dead = () => {
      const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
      return stat === '' || / [ZX] /.test(stat.slice(stat.lastIndexOf(')')));
    };
    await expect.poll(dead, { timeout: 10_000, interval: 20 }).toBe(true);
  });

  it('bad JSON, and JSON that is not an object', () => {
    const dir = project({ 'bad.sh': printing('{"hosts": {'), 'list.sh': printing([1, 2]), 'none.sh': '#!/bin/sh\nexit 0\n' });
    expect(loadError(join(dir, 'bad.sh'))).toMatch(/^inventory script .*bad\.sh --list printed no valid JSON \(.*\); it printed: "\{\\"hosts\\": \{"$/);
    expect(loadError(join(dir, 'list.sh'))).toMatch(/list\.sh --list printed a list: expected a JSON object \(an inventory\)$/);
    expect(loadError(join(dir, 'none.sh'))).toMatch(/none\.sh --list printed no valid JSON .*; it printed nothing$/);
  });

  it('schema errors name the script and the JSON path, with did-you-mean', () => {
    const dir = project({
      'inv.sh': printing({ hosts: { w1: { adress: '10.0.0.1', port: 'x' } }, drift: { retention_days: 3 } }),
      'inventory.yaml': 'sources: [{exec: ./inv.sh}]\n',
    });
    expect(loadError(join(dir, 'inventory.yaml')).split('\n')).toEqual([
      `./inv.sh: at drift: 'drift' belongs in inventory.yaml, not in a script's output (a script gives defaults, vars, states, hosts, groups)`,
      `./inv.sh: at hosts.w1.adress: unknown key 'adress' for host w1: did you mean 'address'?`,
      `./inv.sh: at hosts.w1.port: expected integer, found "x" (string)`,
    ]);
  });

  it('an Ansible value keel cannot use names its path in the output', () => {
    const dir = project({ 'a.sh': printing({ _meta: { hostvars: { w1: { ansible_port: 'http' } } }, web: ['w1'] }) });
    expect(loadError(join(dir, 'a.sh'))).toBe(`${join(dir, 'a.sh')}: at _meta.hostvars.w1.ansible_port: expected a port number (1-65535), found a string "http"`);
  });

  it('errors found after the merge point at the script or at the static line, whichever wrote the value', () => {
    const dir = project({
      'inv.sh': printing({ hosts: { w1: { states: ['nosuch'], jump: 'gateway' } }, groups: { web: { hosts: ['w1'] } } }),
      'inventory.yaml': 'sources: [{exec: ./inv.sh}]\ngroups:\n  web:\n    after: [dbs]\n',
    });
    expect(loadError(join(dir, 'inventory.yaml')).split('\n')).toEqual([
      `./inv.sh: at hosts.w1.states[0]: state 'nosuch' not found: expected ${dir}/states/nosuch.yaml`,
      `./inv.sh: at hosts.w1.jump: jump host 'gateway' is not an inventory host`,
      `${dir}/inventory.yaml:4:13: after: 'dbs' is not a group`,
    ]);
  });

  it('a static part with errors runs no script; a source that is not executable is named', () => {
    const dir = project({
      'mark.sh': '#!/bin/sh\ntouch ran\necho "{}"\n',
      'data.json': '{}',
      'inventory.yaml': 'sources: [{exec: ./mark.sh}]\ndefaults: {usr: root}\n',
      'inv2.yaml': 'sources:\n  - exec: ./data.json\n  - exec: ./missing.sh\n',
      'inv3.yaml': 'sources:\n  - exe: ./mark.sh\n    timeout: 0\n',
    });
    expect(loadError(join(dir, 'inv3.yaml')).split('\n')).toEqual([
      `${dir}/inv3.yaml:2:5: unknown key 'exe' for source sources[0]: did you mean 'exec'?`,
      `${dir}/inv3.yaml:3:14: sources[0].timeout: expected a value that is > 0, found 0 (number)`,
    ]);
    expect(loadError(join(dir, 'inventory.yaml'))).toBe(`${dir}/inventory.yaml:2:12: unknown key 'usr' for defaults: did you mean 'user'?`);
    expect(existsSync(join(dir, 'ran'))).toBe(false);
    expect(loadError(join(dir, 'inv2.yaml')).split('\n')).toEqual([
      `${dir}/inv2.yaml:2:11: inventory script ./data.json --list cannot run: not executable (chmod +x it)`,
      `${dir}/inv2.yaml:3:11: inventory script ./missing.sh --list cannot run: no such file`,
    ]);
  });
});
