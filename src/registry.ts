/**
 * Modules register themselves here; the engine and the graph look them up by kind and
 * import nothing from modules/ directly.
 */
import type { ResourceModule } from './module.js';

const modules = new Map<string, ResourceModule>();

export function registerModule(m: ResourceModule): void {
  if (modules.has(m.kind)) throw new Error(`module ${m.kind} registered twice`);
  modules.set(m.kind, m);
}

export function getModule(kind: string): ResourceModule | undefined {
  return modules.get(kind);
}

export function moduleKinds(): string[] {
  return [...modules.keys()].sort();
}
