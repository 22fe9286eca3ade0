/**
 * References between one host's resources (require, before, watch, notify, and parameters that
 * hold ids such as command's onchanges). Inside a bundle instance a reference means the
 * instance's own resource first (`service:gunicorn` -> `django_app[shop]/service:gunicorn`),
 * else the host's id as written: a top-level one, or another instance's by its full id.
 */
import { ConfigError, type KeelError, type SourcePos } from '../errors.js';
import type { Resource } from './types.js';
import { closestMatch } from './suggest.js';
import type { ModuleSet } from '../module-set.js';
import { checkRefreshRefs } from './refresh-refs.js';

export interface Ref {
  /** `require`, `watch`, ... or the module parameter (`onchanges`). */
  key: string;
  ref: string;
  pos: SourcePos;
}

/** The id a reference written in `res` means: its instance's own resource first, else as written. */
export function idMeant(res: Resource, ref: string, ids: ReadonlySet<string> | ReadonlyMap<string, unknown>): string {
  return res.instance && ids.has(`${res.instance}/${ref}`) ? `${res.instance}/${ref}` : ref;
}

/** Rewrite each reference of an instance's resource to the id it means; the refs' `ref` follow. */
export function resolveRefs(resources: Resource[], refs: Map<Resource, Ref[]>, skipped: ReadonlySet<string>, idParams: (r: Resource) => readonly string[]): void {
  const ids = new Set([...resources.map((r) => r.id), ...skipped]);
  for (const res of resources) {
    if (!res.instance) continue;
    const mean = (ref: string) => idMeant(res, ref, ids);
    for (const key of ['require', 'before', 'watch', 'notify'] as const) res[key] = res[key].map(mean);
    for (const p of idParams(res)) {
      const v = res.spec[p];
      if (Array.isArray(v)) res.spec[p] = v.map((x) => (typeof x === 'string' ? mean(x) : x));
    }
    for (const r of refs.get(res) ?? []) r.ref = mean(r.ref);
  }
}

/**
 * "did you mean" for a reference: among the ids (never the referring resource itself), and among
 * `kind:name` of resources that have an explicit `id:`, whose id is then what to write.
 */
function suggestRef(ref: string, self: Resource, local: string[], byId: Map<string, Resource>): string {
  const byNatural = new Map<string, string>();
  for (const [id, r] of byId) if (id !== self.id && id !== `${r.kind}:${r.name}`) byNatural.set(`${r.kind}:${r.name}`, id);
  if (byNatural.has(ref)) return `; ${ref} has the id '${byNatural.get(ref)}': refer to it by that id`;
  const own = self.instance ? self.id.slice(self.instance.length + 1) : self.id;
  const match = closestMatch(ref, [...local, ...byId.keys(), ...byNatural.keys()].filter((c) => c !== self.id && !(self.instance && c === own)));
  if (match === undefined) return '';
  const id = byNatural.get(match);
  return id === undefined ? `; did you mean '${match}'?` : `; did you mean '${id}' (${match})?`;
}

/**
 * Duplicate ids, and references to ids this host does not declare. A relation to a resource
 * skipped by its condition is no error: it is dropped, as the resource is absent.
 */
export function checkIds(resources: Resource[], refs: Map<Resource, Ref[]>, skipped: ReadonlySet<string>, host: string, modules: ModuleSet): KeelError[] {
  const errors: KeelError[] = [];
  const byId = new Map<string, Resource>();
  for (const res of resources) {
    const first = byId.get(res.id);
    if (first) {
      const at = `${first.pos.file}:${first.pos.line}:${first.pos.column}`;
      errors.push(new ConfigError(`duplicate resource id '${res.id}': first declared at ${at}`, { pos: res.pos, host }));
    } else {
      byId.set(res.id, res);
    }
  }
  for (const res of resources) {
    const local = res.instance ? [...byId.keys()].filter((id) => id.startsWith(`${res.instance}/`)).map((id) => id.slice(res.instance!.length + 1)) : [];
    for (const key of ['require', 'before', 'watch', 'notify'] as const) res[key] = res[key].filter((ref) => byId.has(ref) || !skipped.has(ref));
    for (const { key, ref, pos } of refs.get(res) ?? []) {
      if (ref === res.id) {
        errors.push(new ConfigError(`${key}: '${ref}' is this resource itself`, { pos, host, resource: res.id, hint: `remove it from ${key}: a resource cannot depend on itself` }));
        continue;
      }
      if (byId.has(ref) || skipped.has(ref)) continue;
      const where = res.instance ? `in bundle instance ${res.instance} or on this host` : 'on this host';
      const msg = `unknown reference '${ref}' in ${key}: no resource with this id ${where}${suggestRef(ref, res, local, byId)}`;
      errors.push(new ConfigError(msg, { pos, host, resource: res.id }));
    }
    errors.push(...checkRefreshRefs(res, (refs.get(res) ?? []).filter((x) => byId.has(x.ref)), byId, host, modules));
  }
  return errors;
}
