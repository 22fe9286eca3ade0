/**
 * Every machine-wide name of one lab, derived from the lab's name, so that labs of different
 * names run side by side: hosts `${name}1..`, netns `keel-${host}`, veth `vk-${host}`, bridge
 * `keel-${name}0`, cgroup `keel-${name}`, and their own lock, claim, apt proxy and subnet. The
 * default name `lab` gives the names keel always used (lab1, keel-lab1, vk-lab1, keel-lab0,
 * 10.199.0.0/24). A name ends in a letter, so `lab1` can only be host 1 of `lab`, never host
 * 1 of a lab `lab1` or host 11 of another: each lab's names are exactly its own.
 */
import { KeelError } from '../src/errors.js';

export const DEFAULT_LAB_NAME = 'lab';
export const DEFAULT_SUBNET = '10.199.0.0/24';
/** Linux link names have at most 15 characters: `vk-` + name + up to 3 digits of the index. */
export const MAX_NAME_LENGTH = 9;
const NAME_RE = /^[a-z](?:[a-z0-9-]*[a-z])?$/;

export interface LabNames {
  name: string;
  bridge: string;
  /** Parent cgroup of the lab's hosts in every hierarchy. */
  cgroup: string;
  /** The lab's own subnet when none is given. */
  defaultSubnet: string;
  /** `''` for the default lab, else `-${name}`: appended to machine-wide files and dirs. */
  suffix: string;
  hostName(index: number): string;
  /** Whether a host name (lab1, scale17) is one of this lab's. */
  ownsHost(host: string): boolean;
}

export function checkLabName(name: string): string {
  if (name.length > MAX_NAME_LENGTH || !NAME_RE.test(name)) {
    throw new KeelError('E_LAB', `lab name must be 1 to ${MAX_NAME_LENGTH} characters of a-z, 0-9 and '-', starting and ending with a letter, got ${JSON.stringify(name)}`, {
      hint: 'its host, bridge and veth names derive from it (vk-<name><n> has at most 15 characters)',
    });
  }
  return name;
}

/** FNV-1a: a stable small hash, so a name always gets the same subnet. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (const c of Buffer.from(s)) h = Math.imul(h ^ c, 0x01000193) >>> 0;
  return h;
}

/** `lab` keeps 10.199.0.0/24; any other name gets 10.198.X.0/24, X from the name's hash. */
export function defaultSubnetFor(name: string): string {
  return name === DEFAULT_LAB_NAME ? DEFAULT_SUBNET : `10.198.${fnv1a(name) % 256}.0/24`;
}

export function labNames(name: string = DEFAULT_LAB_NAME): LabNames {
  checkLabName(name);
  return {
    name,
    bridge: `keel-${name}0`,
    cgroup: `keel-${name}`,
    defaultSubnet: defaultSubnetFor(name),
    suffix: name === DEFAULT_LAB_NAME ? '' : `-${name}`,
    hostName: (index) => `${name}${index}`,
    ownsHost: (host) => host.startsWith(name) && /^\d+$/.test(host.slice(name.length)),
  };
}

export const netnsName = (host: string): string => `keel-${host}`;
/** Controller-side end of a host's veth pair (at most 15 characters). */
export const vethName = (host: string): string => `vk-${host}`;

/** The lab hosts named in `ip netns list` output. */
export function hostsOfNetnsList(names: LabNames, netnsList: string): string[] {
  return netnsList
    .split('\n')
    .map((l) => l.split(' ')[0])
    .filter((n) => n.startsWith('keel-') && names.ownsHost(n.slice('keel-'.length)))
    .map((n) => n.slice('keel-'.length));
}

/** The lab's links (its bridge and host veths) named in `ip -o link show` output. */
export function linksOfLinkList(names: LabNames, linkList: string): string[] {
  return linkList
    .split('\n')
    .map((l) => l.split(': ')[1]?.split('@')[0] ?? '')
    .filter((n) => n === names.bridge || (n.startsWith('vk-') && names.ownsHost(n.slice('vk-'.length))));
}
