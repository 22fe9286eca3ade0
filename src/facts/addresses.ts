/**
 * The host's addresses from whatever the snippet could read: `ip -o addr` / `hostname -I` give
 * text (with a /prefix from ip), /proc/net/if_inet6 gives 32 hex digits. Loopback and link-local
 * addresses are left out (they are the same on every host); duplicates once, IPv4 first.
 */
import { isIP } from 'node:net';

export function hostAddresses(found: { addr?: string; hex?: string }[]): string[] {
  const v4: string[] = [];
  const v6: string[] = [];
  for (const f of found) {
    const addr = f.hex !== undefined ? fromHex(f.hex) : (f.addr ?? '').replace(/\/\d+$/, '').replace(/%.*$/, '');
    if (!addr) continue;
    const version = isIP(addr);
    if (version === 4 && !addr.startsWith('127.') && !addr.startsWith('169.254.')) v4.push(addr);
    if (version === 6 && addr.includes('.')) v6.push(addr.toLowerCase()); // ::ffff:1.2.3.4 as written
    else if (version === 6) {
      const canonical = compress6(expand6(addr));
      if (canonical !== '::1' && !/^fe[89ab]/.test(canonical)) v6.push(canonical);
    }
  }
  return [...new Set([...v4, ...v6])];
}

function fromHex(hex: string): string | undefined {
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) return undefined;
  return hex.toLowerCase().match(/.{4}/g)!.join(':');
}

/** Eight 16-bit groups of an IPv6 address (already checked by isIP), without leading zeros. */
function expand6(addr: string): string[] {
  const [head, tail] = addr.toLowerCase().includes('::') ? addr.toLowerCase().split('::') : [addr.toLowerCase(), undefined];
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const h = groups(head);
  if (tail === undefined) return h.map((g) => g.replace(/^0+(?=.)/, ''));
  const t = groups(tail);
  return [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t].map((g) => g.replace(/^0+(?=.)/, ''));
}

/** RFC 5952: the longest run of two or more zero groups (the first of equals) becomes `::`. */
function compress6(groups: string[]): string {
  let best = { at: -1, len: 1 };
  for (let i = 0; i < groups.length; ) {
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  if (best.at < 0) return groups.join(':');
  return `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.len).join(':')}`;
}
