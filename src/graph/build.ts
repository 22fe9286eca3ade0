/**
 * The dependency graph of one host's resources. Knows nothing of modules: automatic edges come
 * in through `autoRequires`. Order is deterministic: topological, ties broken by declaration order.
 */
import { CycleError } from '../errors.js';
import type { Resource } from '../config/types.js';

export interface Graph {
  order: Resource[];
  byId: Map<string, Resource>;
  /** id -> ids it depends on directly (require, watch, before/notify of others, automatic). */
  deps: Map<string, string[]>;
  /** id -> ids whose refresh runs when it changed (watch and notify). */
  watchers: Map<string, string[]>;
  /** Edges as [from, to, relation] for rendering: `from` must come before `to`. */
  edges: [string, string, EdgeKind][];
}

export type EdgeKind = 'require' | 'watch' | 'auto';

export function buildGraph(resources: Resource[], autoRequires: (r: Resource) => string[] = () => []): Graph {
  const byId = new Map(resources.map((r) => [r.id, r]));
  const deps = new Map<string, Set<string>>(resources.map((r) => [r.id, new Set()]));
  const watchers = new Map<string, Set<string>>(resources.map((r) => [r.id, new Set()]));
  const edges = new Map<string, [string, string, EdgeKind]>();
  const edge = (before: string, after: string, kind: EdgeKind) => {
    if (!byId.has(before) || !byId.has(after) || before === after) return;
    deps.get(after)!.add(before);
    const key = `${before}\u0000${after}`;
    const prev = edges.get(key);
    if (!prev || (prev[2] !== 'watch' && kind !== 'auto')) edges.set(key, [before, after, kind]);
  };
  for (const r of resources) {
    r.require.forEach((x) => edge(x, r.id, 'require'));
    r.before.forEach((x) => edge(r.id, x, 'require'));
    r.watch.forEach((x) => {
      edge(x, r.id, 'watch');
      if (byId.has(x)) watchers.get(x)!.add(r.id);
    });
    r.notify.forEach((x) => {
      edge(r.id, x, 'watch');
      if (byId.has(x)) watchers.get(r.id)!.add(x);
    });
    autoRequires(r).forEach((x) => edge(x, r.id, 'auto'));
  }
  const kindOf = (before: string, after: string) => edges.get(`${before}\u0000${after}`)?.[2] ?? 'require';
  const order = topoOrder(resources, deps, kindOf);
  const sortIds = (s: Set<string>) => [...s].sort((a, b) => byId.get(a)!.index - byId.get(b)!.index);
  return {
    order,
    byId,
    deps: new Map([...deps].map(([k, v]) => [k, sortIds(v)])),
    watchers: new Map([...watchers].map(([k, v]) => [k, sortIds(v)])),
    edges: [...edges.values()],
  };
}

function topoOrder(resources: Resource[], deps: Map<string, Set<string>>, kindOf: (before: string, after: string) => EdgeKind): Resource[] {
  const pending = new Map(resources.map((r) => [r.id, deps.get(r.id)!.size]));
  const dependents = new Map<string, string[]>(resources.map((r) => [r.id, []]));
  for (const [id, ds] of deps) for (const d of ds) dependents.get(d)!.push(id);
  const byId = new Map(resources.map((r) => [r.id, r]));
  const ready = resources.filter((r) => pending.get(r.id) === 0);
  const order: Resource[] = [];
  while (ready.length) {
    ready.sort((a, b) => a.index - b.index);
    const r = ready.shift()!;
    order.push(r);
    for (const next of dependents.get(r.id)!) {
      const left = pending.get(next)! - 1;
      pending.set(next, left);
      if (left === 0) ready.push(byId.get(next)!);
    }
  }
  if (order.length < resources.length) throw cycleError(resources.filter((r) => pending.get(r.id)! > 0), deps, byId, kindOf);
  return order;
}

/** Find one cycle among the resources left over and name every member with its file:line. */
function cycleError(left: Resource[], deps: Map<string, Set<string>>, byId: Map<string, Resource>, kindOf: (before: string, after: string) => EdgeKind): CycleError {
  const inLeft = new Set(left.map((r) => r.id));
  const start = left.sort((a, b) => a.index - b.index)[0];
  const path: string[] = [];
  const seen = new Map<string, number>();
  let cur = start.id;
  while (!seen.has(cur)) {
    seen.set(cur, path.length);
    path.push(cur);
    cur = [...deps.get(cur)!].filter((d) => inLeft.has(d)).sort((a, b) => byId.get(a)!.index - byId.get(b)!.index)[0];
  }
  const cycle = path.slice(seen.get(cur)).reverse();
  const where = (id: string) => {
    const p = byId.get(id)!.pos;
    return `${id} (${p.file}:${p.line})`;
  };
  const closed = [...cycle, cycle[0]];
  const kinds = cycle.map((id, i) => kindOf(id, closed[i + 1]));
  const label: Record<EdgeKind, string> = { require: 'require/before', watch: 'watch/notify', auto: 'automatic' };
  const chain = closed.map((id, i) => (i === 0 ? where(id) : `-> (${label[kinds[i - 1]]}) ${where(id)}`)).join('\n    ');
  const written = kinds.some((k) => k !== 'auto');
  const hint = !kinds.includes('auto')
    ? 'remove one of the require/before/watch/notify relations in this chain'
    : written
      ? "remove one of the relations you wrote in this chain (require/before, watch/notify); the automatic ones are keel's own (a path after its parent directory, a unit before its service, a user after its groups) and stay"
      : "the chain is made of keel's automatic relations only (a path after its parent directory, a unit before its service, a user after its groups): check the paths and names of these resources";
  return new CycleError(`dependency cycle between ${cycle.length} resources:\n    ${chain}`, { pos: byId.get(cycle[0])!.pos, hint });
}
