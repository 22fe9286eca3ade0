/**
 * compileHost: the host's states and bundle instances (includes first, depth-first; see state-walk.ts)
 * -> rendered with its vars (an instance's: its params over them) ->
 * validated per module -> Resource[] with ids, relations and declaration order checked.
 */
import { isSeq } from 'yaml';
import type { Node } from 'yaml';
import { ConfigError, ConfigErrors, KeelError } from '../errors.js';
import { factsPlaceholder } from '../facts/state-facts.js';
import { withoutSecrets } from '../redact.js';
import type { StateFacts } from '../facts/types.js';
import type { ModuleSet } from '../module-set.js';
import type { CompiledHost, Inventory, Resource, SkippedResource } from './types.js';
import { isControlKey } from './control-keys.js';
import { declNames, nameText } from './decl-names.js';
import { expandDecl } from './expand.js';
import { dedupeErrors, sortErrors, withHost } from './format.js';
import { makeRenderer, type Renderer } from './render.js';
import { renderNode } from './render-tree.js';
import { findUnplain } from './plain-value.js';
import { varsWithFacts } from './facts-var.js';
import { resourceValidator } from './resource-schema.js';
import { schemaErrors } from './schema-errors.js';
import { nodeAt, pathString, posOf, resolveAlias, scalarText, type PathSeg } from './source.js';
import { COMMON_KEYS, RELATION_KEYS, type ResourceDecl } from './state-file.js';
import { checkIds, resolveRefs, type Ref } from './resource-refs.js';
import { hostUnits, inScope, type Scope } from './state-walk.js';
import { didYouMean } from './suggest.js';

/** `modules`: the types resources may have; `facts`: the host's, or a placeholder (see src/facts/state-facts.ts) when none were gathered. */
export function compileHost(inv: Inventory, host: string, modules: ModuleSet, facts?: StateFacts): Resource[] {
  return compileHostStates(inv, host, modules, facts).resources;
}

/** The host's resources, and those its `when` conditions skip. */
export function compileHostStates(inv: Inventory, host: string, modules: ModuleSet, facts: StateFacts = factsPlaceholder().facts): CompiledHost {
  const { errors, ...compiled } = collectHost(inv, host, modules, facts);
  if (errors.length) throw new ConfigErrors(sortErrors(dedupeErrors(errors)));
  return compiled;
}

/** Every error of every host, each (file:line:col + message) once: for `keel validate`. */
export function validateInventory(inv: Inventory, modules: ModuleSet): KeelError[] {
  // an error may quote a value it found: never a secret
  const errorsOf = (h: string) => collectHost(inv, h, modules, factsPlaceholder().facts).errors.map((e) => withoutSecrets(e, inv.hosts.get(h)?.secrets ?? []));
  return sortErrors(dedupeErrors([...inv.hosts.keys()].flatMap(errorsOf)));
}

function collectHost(inv: Inventory, host: string, modules: ModuleSet, facts: StateFacts): CompiledHost & { errors: KeelError[] } {
  const hc = inv.hosts.get(host);
  if (!hc) return { resources: [], skipped: [], errors: [new ConfigError(`unknown host '${host}'${didYouMean(host, inv.hosts.keys())}`)] };
  const errors: KeelError[] = [];
  const vars = varsWithFacts(hc.vars, facts);
  const units = hostUnits(inv, modules, hc, vars, errors);
  const renderer = makeRenderer(vars);
  const resources: Resource[] = [];
  const skipped: SkippedResource[] = [];
  const refs = new Map<Resource, Ref[]>();
  const scopes = new Map<string, Scope>();
  for (const { sf, scope } of units) {
    if (scope) scopes.set(scope.key, scope);
    const found: KeelError[] = [];
    const dir = scope?.bundle.dir ?? sf.dir;
    for (const decl of sf.resources) {
      const expanded = expandDecl(decl, scope?.renderer ?? renderer, host, found, (r) => buildResources(decl, dir, r, host, found, scope));
      for (const built of expanded.built) {
        built.resource.index = resources.length;
        resources.push(built.resource);
        refs.set(built.resource, built.refs);
      }
      skipped.push(...expanded.skipped.map((s) => (scope ? { ...s, id: `${scope.key}/${s.id}` } : s)));
    }
    errors.push(...found.map((e) => inScope(e, scope)));
  }
  const skippedIds = new Set(skipped.map((s) => s.id));
  resolveRefs(resources, refs, skippedIds, (r) => modules.get(r.kind)?.idParams ?? []);
  const idErrors = checkIds(resources, refs, skippedIds, host, modules);
  errors.push(...idErrors.map((e) => inScope(e, scopes.get(resources.find((r) => r.id === e.resource)?.instance ?? ''))));
  return { resources, skipped, errors };
}

interface Built {
  resource: Resource;
  refs: Ref[];
}

function buildResources(decl: ResourceDecl, stateDir: string, r: Renderer, host: string, errors: KeelError[], scope?: Scope): Built[] {
  const { source, map, kind, module } = decl;
  const basePath: PathSeg[] = ['resources', decl.position];
  const renderErrors: KeelError[] = [];
  const params: Record<string, unknown> = {};
  for (const pair of map.items) {
    const key = scalarText(pair.key) ?? '';
    if (pair === decl.kindPair || isControlKey(key)) continue;
    if (key === 'name') {
      errors.push(
        new ConfigError(`'name' is not a key: the value of '${kind}' is the resource's name`, {
          pos: posOf(source, pair.key as Node),
          hint: `write "- ${kind}: NAME"`,
        }),
      );
      continue;
    }
    params[key] = renderNode(source, pair.value, r, renderErrors);
  }

  const names = declNames(decl, r, renderErrors);
  errors.push(...renderErrors.map((e) => withHost(e, host)));
  if (renderErrors.length) return [];
  if (params.id !== undefined && names.length > 1) {
    const idKey = nodeAt(source, map, ['id']).key;
    errors.push(new ConfigError(`explicit 'id' with a list of names: every ${kind} would get the same id`, { pos: posOf(source, idKey) }));
    return [];
  }

  const validate = resourceValidator(module);
  const out: Built[] = [];
  for (const n of names) {
    const name = nameText(n.value);
    const unplain = findUnplain({ name, ...params });
    if (unplain) {
      const [top] = unplain.path;
      const node = top === 'name' ? n.node : nodeAt(source, map, unplain.path).node;
      errors.push(new ConfigError(`${kind} ${pathString(unplain.path)}: ${unplain.why}`, { pos: posOf(source, node), host }));
      continue;
    }
    const data: Record<string, unknown> = structuredClone({ name, ...params });
    if (!validate(data)) {
      errors.push(
        ...schemaErrors(validate.errors ?? [], {
          source,
          root: map,
          basePath,
          data,
          subject: (p) => (p.length ? `${kind} ${pathString(p)}` : kind),
          locate: (p) => (p[0] === 'name' ? { node: n.node, path: n.path } : undefined),
        }),
      );
      continue;
    }
    out.push(makeResource(decl, data, stateDir, scope && { scope, vars: r.vars }));
  }
  return out;
}

function list(v: unknown): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)];
}

/** `inst`: the bundle instance declaring it, and the variables it was rendered with (params, loop item). */
function makeResource(decl: ResourceDecl, data: Record<string, unknown>, stateDir: string, inst?: { scope: Scope; vars: Readonly<Record<string, unknown>> }): Built {
  const { source, map, kind } = decl;
  const name = String(data.name);
  const spec: Record<string, unknown> = { ...data };
  for (const k of COMMON_KEYS) delete spec[k];
  const id = typeof data.id === 'string' ? data.id : `${kind}:${name}`;
  const resource: Resource = {
    id: inst ? `${inst.scope.key}/${id}` : id,
    kind,
    name,
    spec: spec as Resource['spec'],
    require: list(data.require),
    before: list(data.before),
    watch: list(data.watch),
    notify: list(data.notify),
    tags: list(data.tags),
    pos: posOf(source, decl.kindPair.key as Node),
    stateDir,
    index: 0,
    // shared by the instance's resources (no copy per resource): one renderer each for prepare
    ...(inst ? { vars: inst.vars, instance: inst.scope.key } : {}),
  };
  const refs: Ref[] = [];
  for (const key of [...RELATION_KEYS, ...(decl.module.idParams ?? [])]) {
    const node = nodeAt(source, map, [key]);
    if (!node.complete) continue;
    const values = (RELATION_KEYS as readonly string[]).includes(key) ? resource[key as (typeof RELATION_KEYS)[number]] : list(spec[key]);
    values.forEach((ref, i) => {
      const item = isSeq(node.node) ? resolveAlias(source, node.node.items[i]) ?? node.node : node.node;
      refs.push({ key, ref, pos: posOf(source, item) });
    });
  }
  return { resource, refs };
}
