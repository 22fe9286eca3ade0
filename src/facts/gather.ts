/**
 * The facts snippets (read-only POSIX sh) and their pure parser: the host facts (builtins only)
 * go first in the probe batch of a host whose states do not read `facts`; all facts go alone in the
 * facts round trip of one whose states do. It works on a minimal Debian: without `ip` the addresses come from
 * `hostname -I`, without that from /proc/net.
 */
import { shq } from '../shell.js';
import { hostAddresses } from './addresses.js';
import type { Facts, HostFacts } from './types.js';

/** The os-release lines: the first readable file is sourced (its quoting is sh's, as systemd specifies). */
export function osReleaseSnippet(files: string[]): string {
  const read = files.map((f, i) => `${i ? 'elif' : 'if'} [ -r ${shq(f)} ]; then . ${shq(f)}`).join('; ');
  return `ID=; ID_LIKE=; VERSION_ID=; VERSION_CODENAME=
${read}; fi
echo "os_id=$ID"
echo "os_like=$ID_LIKE"
echo "os_version=$VERSION_ID"
echo "os_codename=$VERSION_CODENAME"`;
}

const HOST_FACTS_LINES = `if [ -d /run/systemd/system ]; then echo init=systemd; else echo init=other; fi
if command -v apt-get >/dev/null 2>&1; then echo pkg=apt; elif command -v dnf >/dev/null 2>&1; then echo pkg=dnf; else echo pkg=none; fi`;

/** Every fact (the states' `facts`, `keel facts`): a dozen processes on the host. */
export const FACTS_SNIPPET = `
${osReleaseSnippet(['/etc/os-release', '/usr/lib/os-release'])}
k_h=$(hostname 2>/dev/null || cat /etc/hostname 2>/dev/null)
echo "hostname=$k_h"
# hostname -f asks the resolver: a host with a dead DNS server must not stall the probe
if command -v timeout >/dev/null 2>&1; then k_f=$(timeout 5 hostname -f 2>/dev/null); else k_f=$(hostname -f 2>/dev/null); fi
echo "fqdn=$k_f"
echo "arch=$(uname -m)"
echo "kernel=$(uname -r)"
echo "cpus=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || grep -c ^processor /proc/cpuinfo 2>/dev/null)"
echo "mem_kb=$(sed -n 's/^MemTotal: *\\([0-9]*\\) kB/\\1/p' /proc/meminfo 2>/dev/null)"
if command -v ip >/dev/null 2>&1; then
  ip -o addr show 2>/dev/null | while read -r _ _ _ k_a _; do echo "addr=$k_a"; done
elif hostname -I >/dev/null 2>&1; then
  for k_a in $(hostname -I); do echo "addr=$k_a"; done
else
  [ -r /proc/net/fib_trie ] && sed -n '/^Local:/,$p' /proc/net/fib_trie | while read -r k_1 k_2 k_3 _; do
    case "$k_1 $k_2 $k_3" in "|-- "*) k_a=$k_2 ;; "/32 host LOCAL") echo "addr=$k_a" ;; esac
  done
  [ -r /proc/net/if_inet6 ] && while read -r k_a _; do echo "addr6hex=$k_a"; done < /proc/net/if_inet6
fi
${HOST_FACTS_LINES}
echo "user=$(id -un)"
echo "uid=$(id -u)"
`;

/** What the engine and modules read (HostFacts), from shell builtins only. */
export const HOST_FACTS_SNIPPET = HOST_FACTS_LINES;

/** The HostFacts of a HOST_FACTS_SNIPPET's (or the FACTS_SNIPPET's) output. */
export function parseHostFacts(text: string): HostFacts {
  const { init, pkgManager } = parseFacts(text);
  return { init, pkgManager };
}

export function parseFacts(text: string): Facts {
  const kv = new Map<string, string>();
  const addrs: { hex?: string; addr?: string }[] = [];
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const [key, value] = [line.slice(0, eq), line.slice(eq + 1).trim()];
    if (key === 'addr') addrs.push({ addr: value });
    else if (key === 'addr6hex') addrs.push({ hex: value });
    else kv.set(key, value);
  }
  const pkg = kv.get('pkg');
  const osId = kv.get('os_id') ?? '';
  const hostname = kv.get('hostname') ?? '';
  return {
    hostname,
    fqdn: kv.get('fqdn') || hostname,
    osId,
    osFamily: osFamily(osId, kv.get('os_like') ?? ''),
    osVersion: kv.get('os_version') ?? '',
    osCodename: kv.get('os_codename') ?? '',
    arch: kv.get('arch') ?? '',
    kernel: kv.get('kernel') ?? '',
    cpus: count(kv.get('cpus')),
    memoryMb: Math.floor(count(kv.get('mem_kb')) / 1024),
    addresses: hostAddresses(addrs),
    init: kv.get('init') === 'systemd' ? 'systemd' : 'other',
    pkgManager: pkg === 'apt' || pkg === 'dnf' ? pkg : 'none',
    user: kv.get('user') ?? '',
    uid: Number(kv.get('uid') ?? -1),
  };
}

const FAMILIES: [family: string, ids: string[]][] = [
  ['debian', ['debian', 'ubuntu']],
  ['redhat', ['rhel', 'fedora', 'centos', 'rocky', 'almalinux']],
];

/** debian for Debian and its derivatives, redhat for Fedora/RHEL and theirs (ID or ID_LIKE), else the ID. */
export function osFamily(id: string, idLike: string): string {
  const names = [id, ...idLike.split(/\s+/)].map((s) => s.toLowerCase()).filter(Boolean);
  for (const name of names) for (const [family, ids] of FAMILIES) if (ids.includes(name)) return family;
  return id.toLowerCase();
}

function count(text: string | undefined): number {
  const n = Number.parseInt(text ?? '', 10);
  return Number.isFinite(n) && n >= 0 ? n : 0;
}
