/**
 * One owner per path. Resources of one host that manage the same path either compose (one file
 * without content for mode/owner/group, plus any number of line edits) or are refused before
 * any host is touched, naming every resource involved with its file:line. Composing resources
 * are applied one after another, each planned from what the previous one left.
 */
import { ConfigError } from '../errors.js';
import type { Resource } from '../config/types.js';
import type { PathClaim } from '../module.js';

export interface SharedPaths {
  /** path -> the resources that share it (two or more), in declaration order. */
  shared: Map<string, Resource[]>;
  errors: ConfigError[];
}

const where = (r: Resource) => `${r.id} (${r.pos.file}:${r.pos.line})`;

export function sharedPaths(resources: Resource[], claimsOf: (r: Resource) => PathClaim[]): SharedPaths {
  const byPath = new Map<string, { r: Resource; use: PathClaim['use'] }[]>();
  for (const r of resources) {
    for (const c of claimsOf(r)) {
      const list = byPath.get(c.path) ?? [];
      if (!list.some((x) => x.r === r)) list.push({ r, use: c.use });
      byPath.set(c.path, list);
    }
  }
  const shared = new Map<string, Resource[]>();
  const errors: ConfigError[] = [];
  for (const [path, claims] of byPath) {
    if (claims.length < 2) continue;
    const problem = conflict(path, claims);
    if (problem) errors.push(problem);
    else shared.set(path, claims.map((c) => c.r));
  }
  return { shared, errors };
}

function conflict(path: string, claims: { r: Resource; use: PathClaim['use'] }[]): ConfigError | undefined {
  const all = claims.map((c) => where(c.r)).join(' and ');
  const exclusive = claims.find((c) => c.use === 'whole' || c.use === 'directory');
  const attrs = claims.filter((c) => c.use === 'attrs');
  let why: string;
  let hint: string;
  if (exclusive?.use === 'directory') {
    why = `${exclusive.r.id} makes it a directory`;
    hint = 'keep one resource for this path';
  } else if (exclusive) {
    why = `${exclusive.r.id} writes the whole file, so the others would undo it or be undone on every run`;
    hint = 'keep one resource per file: put the lines into its content or template, or drop content so that line edits compose with it';
  } else if (attrs.length > 1) {
    why = 'more than one file resource sets its mode, owner or group';
    hint = 'keep one file resource for this path (line edits compose with it)';
  } else {
    return undefined;
  }
  const second = claims[1].r;
  return new ConfigError(`${path} is managed by ${all}: ${why}`, { pos: second.pos, resource: second.id, hint });
}

/**
 * For each resource on a shared path, the one applied just before it on that path, following
 * `order` (a topological order of the graph without these edges, so chaining adds no cycle).
 */
export function chainShared(order: Resource[], shared: Map<string, Resource[]>): Map<string, string[]> {
  const position = new Map(order.map((r, i) => [r.id, i]));
  const previous = new Map<string, string[]>();
  for (const members of shared.values()) {
    const sorted = [...members].sort((a, b) => position.get(a.id)! - position.get(b.id)!);
    for (let i = 1; i < sorted.length; i++) {
      previous.set(sorted[i].id, [...(previous.get(sorted[i].id) ?? []), sorted[i - 1].id]);
    }
  }
  return previous;
}
