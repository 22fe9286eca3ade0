/**
 * The modules a run knows, by kind: built from modules/index.ts (or a test's own list) and
 * passed explicitly into compile (config) and run (engine). Nothing is registered globally.
 */
import { KeelError } from './errors.js';
import type { ResourceModule } from './module.js';

export type ModuleSet = ReadonlyMap<string, ResourceModule>;

/** The set of these modules; a kind given twice is a programming error. */
export function moduleSet(modules: Iterable<ResourceModule>): ModuleSet {
  const set = new Map<string, ResourceModule>();
  for (const m of modules) {
    if (set.has(m.kind)) throw new Error(`module ${m.kind} given twice`);
    set.set(m.kind, m);
  }
  return set;
}

/** The module of a kind compile has already checked exists. */
export function moduleOf(modules: ModuleSet, kind: string): ResourceModule {
  const m = modules.get(kind);
  if (!m) throw new KeelError('E_INTERNAL', `no module of type ${kind}`);
  return m;
}

/** Every kind, sorted (for messages and docs). */
export function kindsOf(modules: ModuleSet): string[] {
  return [...modules.keys()].sort();
}
