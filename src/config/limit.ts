/**
 * `--limit`, as in Ansible: patterns separated by `,` or `:`; each a host or group name, with
 * `*`/`?` globs; `!pat` excludes, `&pat` intersects. Unions first, then intersections, then
 * exclusions. A run that matches no host is an error, and so is a name that matches nothing.
 * A limit with no pattern in it (`-l ''`, `-l ,`) is an error too: taken as "no limit", a
 * mistyped variable (`-l "$HOSTS"`) would target every host.
 */
import { ConfigError, UsageError } from '../errors.js';
import type { Inventory } from './types.js';
import { closestMatch } from './suggest.js';

export function selectHosts(inv: Inventory, limit?: string): string[] {
  const all = [...inv.hosts.keys()];
  if (all.length === 0) {
    throw new ConfigError(`no host in inventory ${inv.file}`, { pos: { file: inv.file, line: 1, column: 1 }, hint: "declare hosts under 'hosts:' or a group" });
  }
  if (limit === undefined) return all;
  const patterns = limit.split(/[,:]/).map((p) => p.trim()).filter(Boolean);
  const hint = 'name hosts or groups (-l web1,db), or leave --limit out to target every host';
  if (patterns.length === 0) throw new UsageError(`--limit ${JSON.stringify(limit)} names no host or group`, { hint });
  const bare = patterns.find((p) => /^[!&]\s*$/.test(p));
  if (bare) throw new UsageError(`--limit ${JSON.stringify(limit)}: '${bare}' needs a host or group after it`, { hint });

  const unknown: string[] = [];
  const match = (pattern: string): Set<string> => {
    const found = hostsMatching(inv, pattern);
    if (found === undefined) unknown.push(pattern);
    return found ?? new Set();
  };
  const unions = patterns.filter((p) => !p.startsWith('!') && !p.startsWith('&'));
  let selected = new Set(unions.length ? unions.flatMap((p) => [...match(p)]) : all);
  for (const p of patterns.filter((x) => x.startsWith('&'))) {
    const m = match(p.slice(1));
    selected = new Set([...selected].filter((h) => m.has(h)));
  }
  for (const p of patterns.filter((x) => x.startsWith('!'))) {
    const m = match(p.slice(1));
    selected = new Set([...selected].filter((h) => !m.has(h)));
  }
  if (unknown.length) {
    const names = [...inv.hosts.keys(), ...inv.groups.keys()];
    const detail = unknown.map((u) => {
      const near = closestMatch(u, names);
      return `'${u}'${near ? ` (did you mean '${near}'?)` : ''}`;
    });
    throw new ConfigError(`--limit ${limit}: no host or group named ${detail.join(', ')}`);
  }
  const result = all.filter((h) => selected.has(h));
  if (result.length === 0) throw new ConfigError(`no host matches --limit ${limit}`);
  return result;
}

/** Hosts a single pattern names; undefined when a literal name is neither a host nor a group. */
function hostsMatching(inv: Inventory, pattern: string): Set<string> | undefined {
  if (pattern === 'all') return new Set(inv.hosts.keys());
  const glob = /[*?]/.test(pattern);
  const re = glob ? globToRegExp(pattern) : undefined;
  const matches = (name: string) => (re ? re.test(name) : name === pattern);
  const out = new Set<string>();
  let named = false;
  for (const h of inv.hosts.keys()) if (matches(h)) (out.add(h), (named = true));
  for (const [g, group] of inv.groups) {
    if (!matches(g)) continue;
    named = true;
    for (const h of groupHosts(inv, g, new Set())) out.add(h);
  }
  return named || glob ? out : undefined;
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** A group's hosts, including its children's (GroupConfig.hosts already does; hand-built ones may not). */
function groupHosts(inv: Inventory, g: string, seen: Set<string>): string[] {
  const group = inv.groups.get(g);
  if (!group || seen.has(g)) return [];
  seen.add(g);
  return [...group.hosts, ...group.children.flatMap((c) => groupHosts(inv, c, seen))];
}
