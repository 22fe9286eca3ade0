/** The files a lab leaves for its clients: keel inventory, Ansible INI inventory, known_hosts. */
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';

export interface InventoryHost {
  name: string;
  address: string;
  /** Public host key line ("ssh-ed25519 AAAA... comment"). */
  hostKey: string;
}

export interface InventoryFiles {
  inventory: string;
  hostsIni: string;
  knownHosts: string;
  identity: string;
}

const scalar = (v: string): string => stringify(v).trimEnd();

export function keelInventory(hosts: InventoryHost[], f: InventoryFiles): string {
  return [
    '# written by keel lab: the lab hosts, rewritten on every `keel lab up`',
    'defaults:',
    '  user: root',
    `  identity: ${scalar(f.identity)}`,
    `  known_hosts: ${scalar(f.knownHosts)}`,
    'groups:',
    '  lab:',
    '    hosts:',
    ...hosts.map((h) => `      ${h.name}: {address: ${h.address}}`),
    '',
  ].join('\n');
}

export function ansibleInventory(hosts: InventoryHost[], f: InventoryFiles): string {
  const common = `-o UserKnownHostsFile=${f.knownHosts} -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes`;
  return [
    '# written by keel lab',
    '[lab]',
    ...hosts.map((h) => `${h.name} ansible_host=${h.address}`),
    '',
    '[lab:vars]',
    'ansible_user=root',
    `ansible_ssh_private_key_file=${f.identity}`,
    `ansible_ssh_common_args='${common}'`,
    'ansible_python_interpreter=/usr/bin/python3',
    '',
  ].join('\n');
}

export function knownHosts(hosts: InventoryHost[]): string {
  return hosts.map((h) => `${h.address},${h.name} ${h.hostKey.split(' ').slice(0, 2).join(' ')}\n`).join('');
}

export function writeInventoryFiles(hosts: InventoryHost[], f: InventoryFiles): void {
  writeFileSync(f.knownHosts, knownHosts(hosts));
  writeFileSync(f.inventory, keelInventory(hosts, f));
  writeFileSync(f.hostsIni, ansibleInventory(hosts, f));
}
