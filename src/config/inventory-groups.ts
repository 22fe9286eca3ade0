/** Group structure of an inventory: children, members (recursive) and depth (for precedence). */
import { ConfigError, type KeelError, type SourcePos } from '../errors.js';
import type { PathSeg } from './source.js';
import { didYouMean } from './suggest.js';
import { isPlainObject, type Vars } from './vars.js';

/** A state name or a list of them, as a list. */
export function nameList(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Direct children per group; unknown children and cycles are errors. */
export function groupChildren(groupsIn: Vars, valueAt: (p: PathSeg[]) => SourcePos, errors: KeelError[]): Map<string, string[]> {
  const children = new Map<string, string[]>();
  for (const [g, gv] of Object.entries(groupsIn)) {
    const raw = isPlainObject(gv) ? gv.children : undefined;
    const list = nameList(raw);
    const pathOf = (i: number): PathSeg[] => ['groups', g, 'children', ...(Array.isArray(raw) ? [i] : [])];
    list.forEach((c, i) => {
      if (!(c in groupsIn)) {
        errors.push(new ConfigError(`unknown group '${c}' in children of ${g}${didYouMean(c, Object.keys(groupsIn))}`, { pos: valueAt(pathOf(i)) }));
      }
    });
    children.set(g, list.filter((c) => c in groupsIn));
  }
  // cycles: a group that is its own descendant
  const done = new Set<string>();
  const visit = (g: string, chain: string[]) => {
    if (chain.includes(g)) {
      const from = chain[chain.length - 1];
      const i = (children.get(from) ?? []).indexOf(g);
      const raw = (groupsIn[from] as Vars).children;
      const pos = valueAt(['groups', from, 'children', ...(Array.isArray(raw) ? [i] : [])]);
      errors.push(new ConfigError(`group cycle: ${[...chain.slice(chain.indexOf(g)), g].join(' -> ')}`, { pos }));
      return;
    }
    if (done.has(g)) return;
    for (const c of children.get(g) ?? []) visit(c, [...chain, g]);
    done.add(g);
  };
  for (const g of children.keys()) visit(g, []);
  return children;
}

/** Hosts of each group: its own plus, recursively, its children's. */
export function groupMembers(direct: Map<string, string[]>, children: Map<string, string[]>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const collect = (g: string, seen: Set<string>): Set<string> => {
    const set = new Set(direct.get(g) ?? []);
    if (seen.has(g)) return set;
    for (const c of children.get(g) ?? []) for (const h of collect(c, new Set([...seen, g]))) set.add(h);
    return set;
  };
  for (const g of direct.keys()) out.set(g, collect(g, new Set()));
  return out;
}

/** Depth = longest chain of parents above a group: parents' vars apply before children's. */
export function groupDepths(children: Map<string, string[]>): Map<string, number> {
  const depth = new Map<string, number>();
  for (const g of children.keys()) depth.set(g, 0);
  for (let pass = 0; pass < children.size; pass++) {
    let changed = false;
    for (const [g, cs] of children) {
      for (const c of cs) {
        const d = (depth.get(g) ?? 0) + 1;
        if (d > (depth.get(c) ?? 0) && d <= children.size) (depth.set(c, d), (changed = true));
      }
    }
    if (!changed) break;
  }
  return depth;
}
