/**
 * The lab network: one bridge on the controller, and per host a network namespace joined to it
 * by a veth pair. Addresses are set from the controller before boot, so a host answers as soon
 * as its sshd listens. Nothing is routed beyond the bridge: forwarding is off on it. Each lab
 * (by name) has its own bridge and subnet; nothing here touches another lab's links.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { KeelError } from '../src/errors.js';
import { run } from './exec.js';
import { type LabNames, hostsOfNetnsList, linksOfLinkList, netnsName, vethName } from './names.js';
import { type LabNet, macFor, subnetConflicts } from './subnet.js';

const linkExists = (name: string): boolean => existsSync(`/sys/class/net/${name}`);

function sysctl(path: string, value: string): void {
  try {
    writeFileSync(`/proc/sys/${path}`, value);
  } catch {
    // a missing knob (no IPv6 in this kernel) is not an error
  }
}

export async function ensureBridge(net: LabNet, bridge: string): Promise<void> {
  const conflicts = subnetConflicts(net, bridge, (await run('ip', ['-o', '-4', 'addr', 'show'])).stdout);
  if (conflicts.length > 0) {
    throw new KeelError('E_LAB', `the lab's subnet ${net.prefix}.0/24 is already used on this machine by ${conflicts.join(', ')}`, {
      hint: 'give this lab another subnet (--subnet), or another name (each name has its own default subnet)',
    });
  }
  if (!linkExists(bridge)) {
    await run('ip', ['link', 'add', bridge, 'address', macFor(net.bridgeAddress, 'bridge'), 'type', 'bridge']);
  }
  sysctl(`net/ipv6/conf/${bridge}/disable_ipv6`, '1');
  sysctl(`net/ipv4/conf/${bridge}/forwarding`, '0'); // never route lab traffic off the machine
  const addrs = await run('ip', ['-o', '-4', 'addr', 'show', 'dev', bridge]);
  if (!addrs.stdout.includes(` ${net.bridgeAddress}/24 `)) {
    await run('ip', ['addr', 'add', `${net.bridgeAddress}/24`, 'dev', bridge]);
  }
  await run('ip', ['link', 'set', bridge, 'up']);
}

export async function removeBridge(bridge: string): Promise<void> {
  if (linkExists(bridge)) await run('ip', ['link', 'del', bridge], { allowFail: true });
}

/** A fresh netns for the host with `eth0` at its address and a default route via the bridge. */
export async function createHostNet(net: LabNet, bridge: string, host: string, address: string): Promise<string> {
  await removeHostNet(host);
  const ns = netnsName(host);
  const veth = vethName(host);
  await run('ip', ['netns', 'add', ns]);
  await run('ip', [
    'link', 'add', veth, 'address', macFor(address, 'peer'), 'type', 'veth',
    'peer', 'name', 'eth0', 'address', macFor(address, 'host'), 'netns', ns,
  ]);
  sysctl(`net/ipv6/conf/${veth}/disable_ipv6`, '1');
  await run('ip', ['link', 'set', veth, 'master', bridge, 'up']);
  const inNs = (...args: string[]) => run('ip', ['-n', ns, ...args]);
  await inNs('link', 'set', 'lo', 'up');
  await inNs('addr', 'add', `${address}/24`, 'dev', 'eth0');
  await inNs('link', 'set', 'eth0', 'up');
  await inNs('route', 'add', 'default', 'via', net.bridgeAddress);
  return `/run/netns/${ns}`;
}

export async function removeHostNet(host: string): Promise<void> {
  const ns = netnsName(host);
  if (existsSync(`/run/netns/${ns}`)) await run('ip', ['netns', 'del', ns], { allowFail: true });
  if (linkExists(vethName(host))) await run('ip', ['link', 'del', vethName(host)], { allowFail: true });
}

/** Names of this lab's hosts that still have a network namespace on this machine. */
export async function hostsWithNetns(names: LabNames): Promise<string[]> {
  return hostsOfNetnsList(names, (await run('ip', ['netns', 'list'], { allowFail: true })).stdout);
}

/** This lab's network objects still present on this machine (for labDown's leftovers check). */
export async function labNetLeftovers(names: LabNames): Promise<string[]> {
  const ns = (await hostsWithNetns(names)).map(netnsName);
  const links = linksOfLinkList(names, (await run('ip', ['-o', 'link', 'show'], { allowFail: true })).stdout);
  return [...ns.map((n) => `netns ${n}`), ...links.map((l) => `link ${l}`)];
}
