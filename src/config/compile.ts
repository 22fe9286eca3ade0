/**
 * compileHost: the host's states (includes first, depth-first) -> rendered with its vars ->
 * validated per module -> Resource[] with ids, relations and declaration order checked.
 */
import { isSeq } from 'yaml';
import type { Node } from 'yaml';
import { ConfigError, ConfigErrors, KeelError, type SourcePos } from '../errors.js';
import { factsPlaceholder } from '../facts/state-facts.js';
import type { StateFacts } from '../facts/types.js';
import { getModule } from '../registry.js';
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
import { COMMON_KEYS, RELATION_KEYS, parseStateFile, type ResourceDecl, type StateFile } from './state-file.js';
import { locateState, stateNotFound } from './state-names.js';
import { didYouMean } from './suggest.js';

/** State files are parsed once per inventory, whatever the number of hosts. */
const stateCache = new WeakMap<Inventory, Map<string, StateFile>>();

interface Ref {
  key: string;
  ref: string;
  pos: SourcePos;
}

/** `facts`: the host's, or a placeholder (see src/facts/state-facts.ts) when none were gathered. */
export function compileHost(inv: Inventory, host: string, facts?: StateFacts): Resource[] {
  return compileHostStates(inv, host, facts).resources;
}

/** The host's resources, and those its `when` conditions skip. */
export function compileHostStates(inv: Inventory, host: string, facts: StateFacts = factsPlaceholder().facts): CompiledHost {
  const { errors, ...compiled } = collectHost(inv, host, facts);
  if (errors.length) throw new ConfigErrors(sortErrors(dedupeErrors(errors)));
  return compiled;
}

/** Every error of every host, each (file:line:col + message) once: for `keel validate`. */
export function validateInventory(inv: Inventory): KeelError[] {
  return sortErrors(dedupeErrors([...inv.hosts.keys()].flatMap((h) => collectHost(inv, h, factsPlaceholder().facts).errors)));
}

function stateFile(inv: Inventory, file: string, pos?: SourcePos): StateFile {
  let files = stateCache.get(inv);
  if (!files) stateCache.set(inv, (files = new Map()));
  let sf = files.get(file);
  if (!sf) files.set(file, (sf = parseStateFile(file, pos)));
  return sf;
}

/** The host's state files in order: each file after its includes, each file once. */
function hostStateFiles(inv: Inventory, states: string[], errors: KeelError[]): StateFile[] {
  const out: StateFile[] = [];
  const visited = new Set<string>();
  const walk = (file: string, chain: string[], pos?: SourcePos) => {
    if (chain.includes(file)) {
      const cycle = [...chain.slice(chain.indexOf(file)), file].join(' -> ');
      errors.push(new ConfigError(`include cycle: ${cycle}`, { pos }));
      return;
    }
    if (visited.has(file)) return;
    visited.add(file);
    const sf = stateFile(inv, file, pos);
    errors.push(...sf.errors);
    for (const inc of sf.includes) if (inc.file) walk(inc.file, [...chain, file], inc.pos);
    out.push(sf);
  };
  for (const name of states) {
    const loc = locateState(inv.dir, name, true);
    if (loc.file) walk(loc.file, []);
    else errors.push(new ConfigError(stateNotFound(name, loc))); // loadInventory reports it with its position
  }
  return out;
}

function collectHost(inv: Inventory, host: string, facts: StateFacts): CompiledHost & { errors: KeelError[] } {
  const hc = inv.hosts.get(host);
  if (!hc) return { resources: [], skipped: [], errors: [new ConfigError(`unknown host '${host}'${didYouMean(host, inv.hosts.keys())}`)] };
  const errors: KeelError[] = [];
  const files = hostStateFiles(inv, hc.states, errors);
  const renderer = makeRenderer(varsWithFacts(hc.vars, facts));
  const resources: Resource[] = [];
  const skipped: SkippedResource[] = [];
  const refs = new Map<Resource, Ref[]>();
  for (const sf of files) {
    for (const decl of sf.resources) {
      const expanded = expandDecl(decl, renderer, host, errors, (r) => buildResources(decl, sf.dir, r, host, errors));
      for (const built of expanded.built) {
        built.resource.index = resources.length;
        resources.push(built.resource);
        refs.set(built.resource, built.refs);
      }
      skipped.push(...expanded.skipped);
    }
  }
  errors.push(...checkIds(resources, refs, new Set(skipped.map((s) => s.id)), host));
  return { resources, skipped, errors };
}

interface Built {
  resource: Resource;
  refs: Ref[];
}

function buildResources(decl: ResourceDecl, stateDir: string, r: Renderer, host: string, errors: KeelError[]): Built[] {
  const { source, map, kind } = decl;
  const module = getModule(kind)!;
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
    out.push(makeResource(decl, data, stateDir));
  }
  return out;
}

function list(v: unknown): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)];
}

function makeResource(decl: ResourceDecl, data: Record<string, unknown>, stateDir: string): Built {
  const { source, map, kind } = decl;
  const name = String(data.name);
  const spec: Record<string, unknown> = { ...data };
  for (const k of COMMON_KEYS) delete spec[k];
  const resource: Resource = {
    id: typeof data.id === 'string' ? data.id : `${kind}:${name}`,
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
  };
  const refs: Ref[] = [];
  for (const key of RELATION_KEYS) {
    const node = nodeAt(source, map, [key]);
    if (!node.complete) continue;
    resource[key].forEach((ref, i) => {
      const item = isSeq(node.node) ? resolveAlias(source, node.node.items[i]) ?? node.node : node.node;
      refs.push({ key, ref, pos: posOf(source, item) });
    });
  }
  return { resource, refs };
}

/**
 * Duplicate ids, and references to ids this host does not declare. A relation to a resource
 * skipped by its condition is no error: it is dropped, as the resource is absent.
 */
function checkIds(resources: Resource[], refs: Map<Resource, Ref[]>, skipped: Set<string>, host: string): KeelError[] {
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
    for (const key of RELATION_KEYS) res[key] = res[key].filter((ref) => byId.has(ref) || !skipped.has(ref));
    for (const { key, ref, pos } of refs.get(res) ?? []) {
      if (byId.has(ref) || skipped.has(ref)) continue;
      const msg = `unknown reference '${ref}' in ${key}: no resource with this id on this host${didYouMean(ref, byId.keys())}`;
      errors.push(new ConfigError(msg, { pos, host, resource: res.id }));
    }
  }
  return errors;
}
