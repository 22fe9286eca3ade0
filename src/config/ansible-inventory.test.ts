import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ansiblePath, ansibleToKeel, isAnsibleOutput } from './ansible-inventory.js';

const F = 'test/fixtures/config/ansible';
const json = (name: string) => JSON.parse(readFileSync(`${F}/${name}`, 'utf8'));

describe('Ansible inventory JSON', () => {
  it('maps hostvars, groups, children, all and the connection variables (new and old names) to keel', () => {
    const { doc, problems } = ansibleToKeel(json('list.json'));
    expect(problems).toEqual([]);
    expect(doc).toEqual(json('list.expected.json'));
  });

  it('tells Ansible output from keel output', () => {
    expect(isAnsibleOutput(json('list.json'))).toBe(true);
    expect(isAnsibleOutput({ web: ['w1'] })).toBe(true);
    expect(isAnsibleOutput({ web: { hosts: ['w1'] } })).toBe(true);
    expect(isAnsibleOutput({ web: { children: ['db'] } })).toBe(true);
    // keel's own keys never make it Ansible, whatever they hold
    expect(isAnsibleOutput({ hosts: { w1: {} }, groups: { web: { hosts: ['w1'] } }, states: ['base'] })).toBe(false);
    // a misspelt keel key is not a group either: the schema names it
    expect(isAnsibleOutput({ host: { w1: { address: 'x' } } })).toBe(false);
  });

  it('reports each bad value at its path in the output', () => {
    const { problems } = ansibleToKeel({
      _meta: { hostvars: { w1: { ansible_port: 'http', ansible_connection: 'docker' }, w2: 'x' } },
      web: { hosts: 'w1', vars: [], extra: 1 },
      db: { hosts: ['d1', 7] },
      bad: 3,
    });
    expect(problems.map((p) => `${p.path.join('.')}: ${p.message}`)).toEqual([
      `_meta.hostvars.w1.ansible_port: expected a port number (1-65535), found a string "http"`,
      `_meta.hostvars.w1.ansible_connection: expected 'ssh' (or smart, paramiko) or 'local', found a string "docker"`,
      '_meta.hostvars.w2: expected a mapping of variables, found a string',
      "web.extra: unknown key 'extra' for group web: expected hosts, children or vars",
      'web.hosts: expected a list of names, found a string',
      'web.vars: expected a mapping of variables, found a list',
      'db.hosts.1: expected a name (string), found a number',
      'bad: expected a group (a list of hosts, or a mapping of hosts, children, vars), found a number',
    ]);
  });

  it('maps a path of the translated inventory back to the output', () => {
    expect(ansiblePath(['hosts', 'w1', 'port'])).toEqual(['_meta', 'hostvars', 'w1', 'ansible_port']);
    expect(ansiblePath(['hosts', 'w1', 'vars', 'x'])).toEqual(['_meta', 'hostvars', 'w1', 'x']);
    expect(ansiblePath(['groups', 'web', 'hosts', 1])).toEqual(['web', 'hosts', 1]);
    expect(ansiblePath(['groups', 'web', 'user'])).toEqual(['web', 'vars', 'ansible_user']);
    expect(ansiblePath(['defaults', 'identity'])).toEqual(['all', 'vars', 'ansible_ssh_private_key_file']);
    expect(ansiblePath(['vars', 'ntp'])).toEqual(['all', 'vars', 'ntp']);
  });
});
