/** Addresses, names and MACs of the lab network: a /24 with the bridge at .1, hosts from .11. */
import { KeelError } from '../src/errors.js';

export const FIRST_HOST_OCTET = 11;
export const MAX_HOSTS = 254 - FIRST_HOST_OCTET + 1;

export interface LabNet {
  /** "10.199.0" */
  prefix: string;
  bridgeAddress: string;
}

export function parseSubnet(subnet: string): LabNet {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.0\/24$/.exec(subnet);
  if (!m || m.slice(1).some((o) => Number(o) > 255)) {
    throw new KeelError('E_LAB', `lab subnet must be an IPv4 /24 like 10.199.0.0/24, got ${JSON.stringify(subnet)}`);
  }
  const prefix = `${m[1]}.${m[2]}.${m[3]}`;
  return { prefix, bridgeAddress: `${prefix}.1` };
}

export const hostAddress = (net: LabNet, index: number): string => `${net.prefix}.${FIRST_HOST_OCTET - 1 + index}`;

const ipv4 = (a: string): number => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);

/**
 * Interfaces other than `bridge` whose IPv4 network overlaps the lab's /24, from `ip -o -4 addr
 * show` output: another lab (or anything else) already there, so this lab would not route.
 */
export function subnetConflicts(net: LabNet, bridge: string, ipAddrOutput: string): string[] {
  const ours = ipv4(`${net.prefix}.0`);
  const found = new Set<string>();
  for (const line of ipAddrOutput.split('\n')) {
    const f = line.trim().split(/\s+/);
    const [dev, family, cidr] = [f[1]?.split('@')[0], f[2], f[3]];
    if (family !== 'inet' || !dev || !cidr || dev === bridge) continue;
    const [addr, len] = cidr.split('/');
    const shift = 32 - Math.min(Number(len ?? 32), 24);
    if (Math.floor(ipv4(addr) / 2 ** shift) === Math.floor(ours / 2 ** shift)) found.add(`${dev} (${cidr})`);
  }
  return [...found];
}

/** A fixed, locally administered MAC derived from an IPv4 address, so a re-created host keeps it. */
export function macFor(address: string, role: 'host' | 'peer' | 'bridge'): string {
  const tag = { host: '6b', peer: '6c', bridge: '6d' }[role];
  const octets = address.split('.').map((o) => Number(o).toString(16).padStart(2, '0'));
  return ['02', tag, ...octets].join(':');
}
