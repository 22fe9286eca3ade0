/** Pure parts of the lab (no root needed): addresses, MACs, inventories. */
import { describe, expect, it } from 'vitest';
import { ansibleInventory, keelInventory, knownHosts } from '../../lab/inventory.js';
import { hostAddress, macFor, parseSubnet } from '../../lab/subnet.js';

const files = {
  inventory: '/abs/.keel/lab/inventory.yaml',
  hostsIni: '/abs/.keel/lab/hosts.ini',
  knownHosts: '/abs/.keel/lab/known_hosts',
  identity: '/abs/.keel/lab/id_ed25519',
};
const hosts = [
  { name: 'lab1', address: '10.199.0.11', hostKey: 'ssh-ed25519 AAAAkey1 root@lab1' },
  { name: 'lab2', address: '10.199.0.12', hostKey: 'ssh-ed25519 AAAAkey2 root@lab2' },
];

describe('lab subnet', () => {
  it('puts the bridge at .1 and hosts from .11', () => {
    const net = parseSubnet('10.199.0.0/24');
    expect(net.bridgeAddress).toBe('10.199.0.1');
    expect(hostAddress(net, 1)).toBe('10.199.0.11');
    expect(hostAddress(net, 3)).toBe('10.199.0.13');
  });
  it('rejects anything but an IPv4 /24', () => {
    expect(() => parseSubnet('10.199.0.0/16')).toThrow(/\/24/);
    expect(() => parseSubnet('10.300.0.0/24')).toThrow();
  });
  it('derives fixed, distinct, locally administered MACs from the address', () => {
    expect(macFor('10.199.0.11', 'host')).toBe('02:6b:0a:c7:00:0b');
    expect(macFor('10.199.0.11', 'peer')).not.toBe(macFor('10.199.0.11', 'host'));
  });
});

describe('lab inventories', () => {
  it('writes the keel inventory format', () => {
    expect(keelInventory(hosts, files)).toContain(
      [
        'defaults:',
        '  user: root',
        '  identity: /abs/.keel/lab/id_ed25519',
        '  known_hosts: /abs/.keel/lab/known_hosts',
        'groups:',
        '  lab:',
        '    hosts:',
        '      lab1: {address: 10.199.0.11}',
        '      lab2: {address: 10.199.0.12}',
      ].join('\n'),
    );
  });
  it('writes an Ansible INI inventory and known_hosts', () => {
    const ini = ansibleInventory(hosts, files);
    expect(ini).toContain('lab2 ansible_host=10.199.0.12');
    expect(ini).toContain('ansible_ssh_private_key_file=/abs/.keel/lab/id_ed25519');
    expect(knownHosts(hosts)).toBe('10.199.0.11,lab1 ssh-ed25519 AAAAkey1\n10.199.0.12,lab2 ssh-ed25519 AAAAkey2\n');
  });
});
