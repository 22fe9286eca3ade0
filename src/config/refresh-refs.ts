/**
 * watch/notify must reach a resource that has a refresh: a watch on a file, or a notify of a
 * package, would do nothing (keel used to let it pass silently). Each such reference is an error
 * at the place written, naming the resource that cannot be refreshed and the types that can.
 */
import { ConfigError } from '../errors.js';
import { refreshActionOf, type ResourceModule } from '../module.js';
import { kindsOf, type ModuleSet } from '../module-set.js';
import type { Ref } from './resource-refs.js';
import type { Resource } from './types.js';

/** Errors for watch/notify references (already known to exist in `byId`) whose refreshed side has no refresh. */
export function checkRefreshRefs(res: Resource, refs: Ref[], byId: ReadonlyMap<string, Resource>, host: string, modules: ModuleSet): ConfigError[] {
  const errors: ConfigError[] = [];
  for (const { key, ref, pos } of refs) {
    if (key !== 'watch' && key !== 'notify') continue;
    // watch: this resource refreshes when `ref` changes; notify: `ref` refreshes when this one does
    const [target, trigger] = key === 'watch' ? [res, byId.get(ref)!] : [byId.get(ref)!, res];
    const mod = modules.get(target.kind);
    if (!mod || refreshActionOf(mod, target.spec) !== undefined) continue;
    const optIn = optInValue(mod);
    const why = mod.refresh && optIn
      ? `a ${target.kind} has a refresh only with "${optIn}"`
      : `${target.kind} resources have no refresh`;
    const msg = `${key} ${ref}: ${target.id} (type ${target.kind}) cannot be refreshed when ${trigger.id} changes: ${why}; types with a refresh: ${refreshableTypes(modules)}`;
    const order = key === 'watch' ? `require: ${ref}` : `before: ${ref}`;
    const hint = mod.refresh && optIn ? `add "${optIn}" to ${target.id}, or write ${order} for the order alone` : `write ${order} for the order alone`;
    errors.push(new ConfigError(msg, { pos, host, resource: res.id, hint }));
  }
  return errors;
}

/**
 * `refresh: run` for a module whose refresh must be asked for: its schema has a `refresh`
 * parameter with no default (service's has one: restart).
 */
function optInValue(mod: ResourceModule): string | undefined {
  const p = mod.schema.properties.refresh as { enum?: unknown[]; default?: unknown } | undefined;
  if (!p?.enum || p.default !== undefined) return undefined;
  return `refresh: ${p.enum.join(' | ')}`;
}

function refreshableTypes(modules: ModuleSet): string {
  return kindsOf(modules)
    .map((k) => modules.get(k)!)
    .filter((m) => m.refresh)
    .map((m) => (optInValue(m) ? `${m.kind} (with ${optInValue(m)})` : m.kind))
    .join(', ');
}
