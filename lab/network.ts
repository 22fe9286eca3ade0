/**
 * The lab network: one bridge on the controller, and per host a network namespace joined to it
 * by a veth pair. Addresses are set from the controller before boot, so a host answers as soon
 * as its sshd listens. Nothing is routed beyond the bridge: forwarding is off on it.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { run } from './exec.js';
import { BRIDGE, type LabNet, macFor, netnsName, vethName } from './subnet.js';

const linkExists = (name: string): boolean => existsSync(`/sys/class/net/${name}`);

function sysctl(path: string, value: string): void {
  try {
    writeFileSync(`/proc/sys/${path}`, value);
  } catch {
    // a missing knob (no IPv6 in this kernel) is not an error
  }
}

export async function ensureBridge(net: LabNet): Promise<void> {
  if (!linkExists(BRIDGE)) {
    await run('ip', ['link', 'add', BRIDGE, 'address', macFor(net.bridgeAddress, 'bridge'), 'type', 'bridge']);
  }
  sysctl(`net/ipv6/conf/${BRIDGE}/disable_ipv6`, '1');
  sysctl(`net/ipv4/conf/${BRIDGE}/forwarding`, '0'); // never route lab traffic off the machine
  const addrs = await run('ip', ['-o', '-4', 'addr', 'show', 'dev', BRIDGE]);
  if (!addrs.stdout.includes(` ${net.bridgeAddress}/24 `)) {
    await run('ip', ['addr', 'add', `${net.bridgeAddress}/24`, 'dev', BRIDGE]);
  }
  await run('ip', ['link', 'set', BRIDGE, 'up']);
}

export async function removeBridge(): Promise<void> {
  if (linkExists(BRIDGE)) await run('ip', ['link', 'del', BRIDGE], { allowFail: true });
}

/** A fresh netns for the host with `eth0` at its address and a default route via the bridge. */
export async function createHostNet(net: LabNet, host: string, address: string): Promise<string> {
  await removeHostNet(host);
  const ns = netnsName(host);
  const veth = vethName(host);
  await run('ip', ['netns', 'add', ns]);
  await run('ip', [
    'link', 'add', veth, 'address', macFor(address, 'peer'), 'type', 'veth',
    'peer', 'name', 'eth0', 'address', macFor(address, 'host'), 'netns', ns,
  ]);
  sysctl(`net/ipv6/conf/${veth}/disable_ipv6`, '1');
  await run('ip', ['link', 'set', veth, 'master', BRIDGE, 'up']);
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

/** Names of the lab hosts that still have a network namespace on this machine. */
export async function hostsWithNetns(): Promise<string[]> {
  return (await run('ip', ['netns', 'list'], { allowFail: true })).stdout
    .split('\n')
    .map((l) => l.split(' ')[0])
    .filter((n) => /^keel-lab\d+$/.test(n))
    .map((n) => n.slice('keel-'.length));
}

/** Lab network objects still present on this machine (for labDown's leftovers check). */
export async function labNetLeftovers(): Promise<string[]> {
  const ns = (await hostsWithNetns()).map(netnsName);
  const links = (await run('ip', ['-o', 'link', 'show'], { allowFail: true })).stdout
    .split('\n')
    .map((l) => l.split(': ')[1]?.split('@')[0] ?? '')
    .filter((n) => n === BRIDGE || n.startsWith('vk-lab'));
  return [...ns.map((n) => `netns ${n}`), ...links.map((l) => `link ${l}`)];
}
