/**
 * Handlers (watch/notify): which resources a run refreshes, and why. Pure: the graph's watchers,
 * what changed (converge) or is planned to change (plan), and the module's refreshAction.
 */
import type { Graph } from '../graph/build.js';
import { refreshActionOf, type Plan, type ResourceModule } from '../module.js';
import type { RefreshReport } from '../report/types.js';
import type { Resource } from '../config/types.js';

/** The ids whose change refreshes `id` (it watches them, or they notify it) and that `changed` says changed, in declaration order. */
export function triggersOf(graph: Graph, id: string, changed: (id: string) => boolean): string[] {
  const out: string[] = [];
  for (const [watched, watchers] of graph.watchers) if (watchers.includes(id) && changed(watched)) out.push(watched);
  return out;
}

/** The refresh `r` gets in this run given its own plan and its triggers that changed; undefined for none. */
export function refreshFor(mod: ResourceModule, r: Resource, plan: Plan | undefined, because: string[]): RefreshReport | undefined {
  if (because.length === 0) return undefined;
  const action = refreshActionOf(mod, r.spec, plan);
  return typeof action === 'string' ? { action, because } : undefined;
}
