/** Addresses, names and MACs of the lab network: a /24 with the bridge at .1, hosts from .11. */
import { KeelError } from '../src/errors.js';

export const BRIDGE = 'keel-lab0';
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

export const hostName = (index: number): string => `lab${index}`;
export const hostAddress = (net: LabNet, index: number): string => `${net.prefix}.${FIRST_HOST_OCTET - 1 + index}`;
export const netnsName = (host: string): string => `keel-${host}`;
/** Controller-side end of a host's veth pair (at most 15 characters). */
export const vethName = (host: string): string => `vk-${host}`;

/** A fixed, locally administered MAC derived from an IPv4 address, so a re-created host keeps it. */
export function macFor(address: string, role: 'host' | 'peer' | 'bridge'): string {
  const tag = { host: '6b', peer: '6c', bridge: '6d' }[role];
  const octets = address.split('.').map((o) => Number(o).toString(16).padStart(2, '0'));
  return ['02', tag, ...octets].join(':');
}
