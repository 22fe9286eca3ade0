/**
 * The state files one host applies, in order, each with the bundle instance (scope) it belongs
 * to: the host's `states:` entries, each file after its includes, a bundle's states in its
 * order. Conditions (`when:`) of entries are evaluated here: a false entry adds nothing.
 */
import type { Node } from 'yaml';
import { isScalar } from 'yaml';
import { ConfigError, ConfigErrors, type KeelError, type SourcePos } from '../errors.js';
import { withDefaults, type Bundle } from './bundle-file.js';
import { findBundle } from './bundle-path.js';
import { makeRenderer, type Renderer } from './render.js';
import { renderNode, scalarLocation } from './render-tree.js';
import { schemaErrors } from './schema-errors.js';
import { findUnplain } from './plain-value.js';
import { nodeAt, pathString, posOf } from './source.js';
import { parseStateFile, type IncludeRef, type StateFile } from './state-file.js';
import { locateState, stateNotFound } from './state-names.js';
import type { ModuleSet } from '../module-set.js';
import type { HostConfig, IncludeEntry, Inventory } from './types.js';
import { evaluateWhen } from './when.js';

/** A bundle instance on one host. */
export interface Scope {
  /** `nginx_site[shop]`: its resources' ids start with this and a `/`. */
  key: string;
  bundle: Bundle;
  /** The instance's params (defaults filled in) over the host's variables. */
  vars: Record<string, unknown>;
  renderer: Renderer;
  /** Where the instance was declared. */
  at: SourcePos;
}

export interface Unit {
  sf: StateFile;
  scope?: Scope;
}

/** State files are parsed once per inventory and module set, whatever the number of hosts and instances. */
const stateCache = new WeakMap<ModuleSet, WeakMap<Inventory, Map<string, StateFile>>>();

function stateFile(inv: Inventory, modules: ModuleSet, file: string, pos?: SourcePos): StateFile {
  let byInv = stateCache.get(modules);
  if (!byInv) stateCache.set(modules, (byInv = new WeakMap()));
  let files = byInv.get(inv);
  if (!files) byInv.set(inv, (files = new Map()));
  let sf = files.get(file);
  if (!sf) files.set(file, (sf = parseStateFile(file, modules, pos)));
  return sf;
}

const at = (p: SourcePos) => `${p.file}:${p.line}:${p.column}`;

/** An error met while compiling an instance names the instance and where it was declared. */
export function inScope(e: KeelError, scope: Scope | undefined): KeelError {
  if (!scope) return e;
  const message = `${e.message} (in bundle instance ${scope.key}, declared at ${at(scope.at)})`;
  return new ConfigError(message, { pos: e.pos, host: e.host, resource: e.resource, hint: e.hint, cause: e.cause });
}

/** `vars`: the host's variables as its states see them (facts included). */
export function hostUnits(inv: Inventory, modules: ModuleSet, hc: HostConfig, vars: Record<string, unknown>, errors: KeelError[]): Unit[] {
  const out: Unit[] = [];
  const visited = new Set<string>();
  const instances = new Map<string, SourcePos>();
  const hostRenderer = makeRenderer(vars);
  const fail = (scope: Scope | undefined, ...es: KeelError[]) => errors.push(...es.map((e) => inScope(e, scope)));

  const walkFile = (file: string, scope: Scope | undefined, chain: string[], pos?: SourcePos) => {
    if (chain.includes(file)) {
      const cycle = [...chain.slice(chain.indexOf(file)), file].join(' -> ');
      fail(scope, new ConfigError(`include cycle: ${cycle}`, { pos }));
      return;
    }
    const key = `${scope?.key ?? ''}\u0000${file}`;
    if (visited.has(key)) return;
    visited.add(key);
    const sf = stateFile(inv, modules, file, pos);
    errors.push(...sf.errors);
    for (const inc of sf.includes) walkInclude(inc, scope, [...chain, file]);
    out.push({ sf, scope });
  };

  const walkInclude = (inc: IncludeRef, scope: Scope | undefined, chain: string[]) => {
    if (inc.entry && !holds(inc.entry, scope)) return;
    if (inc.entry?.bundle !== undefined) walkBundle(inc.entry, scope, chain);
    else if (inc.file) walkFile(inc.file, scope, chain, inc.pos);
  };

  const holds = (entry: IncludeEntry, scope: Scope | undefined): boolean => {
    if (entry.when === undefined) return true;
    const node = entry.when;
    try {
      const value = isScalar(node) ? node.value : node?.toJSON();
      const where = isScalar(node) ? scalarLocation(entry.source, node) : { pos: () => posOf(entry.source, node) };
      return evaluateWhen(value, scope?.renderer ?? hostRenderer, where);
    } catch (e) {
      if (e instanceof ConfigErrors) fail(scope, ...e.errors);
      else if (e instanceof ConfigError) fail(scope, e);
      else throw e;
      return false;
    }
  };

  const walkBundle = (entry: IncludeEntry, outer: Scope | undefined, chain: string[]) => {
    const found = findBundle(inv, entry.bundle!);
    if (typeof found === 'string') return fail(outer, new ConfigError(found, { pos: entry.pos }));
    errors.push(...found.errors);
    if (found.errors.length) return;
    const key = `${found.name}[${entry.instance}]`;
    const first = instances.get(key);
    if (first) {
      const msg = `bundle instance ${key} declared twice: first at ${at(first)}`;
      return fail(outer, new ConfigError(msg, { pos: entry.pos, hint: 'give each instance of a bundle its own name' }));
    }
    instances.set(key, entry.pos);
    const params = instanceParams(found, key, entry, outer?.renderer ?? hostRenderer);
    if (params instanceof Array) return fail(outer, ...params);
    const own = { ...vars, ...params };
    const scope: Scope = { key, bundle: found, vars: own, renderer: makeRenderer(own), at: entry.pos };
    for (const file of found.states) walkFile(file, scope, chain, entry.pos);
  };

  for (const entry of hc.states) {
    const name = typeof entry === 'string' ? entry : entry.state;
    if (typeof entry !== 'string' && !holds(entry, undefined)) continue;
    if (name === undefined) {
      walkBundle(entry as IncludeEntry, undefined, []);
      continue;
    }
    const loc = locateState(inv.dir, name, true);
    if (loc.file) walkFile(loc.file, undefined, []);
    else errors.push(new ConfigError(stateNotFound(name, loc))); // loadInventory reports it with its position
  }
  return out;
}

/** `with:` rendered with the includer's variables, checked against the bundle's params, defaults filled in. */
function instanceParams(bundle: Bundle, key: string, entry: IncludeEntry, r: Renderer): Record<string, unknown> | KeelError[] {
  const renderErrors: KeelError[] = [];
  const given = entry.with ? renderNode(entry.source, entry.with, r, renderErrors) : {};
  if (renderErrors.length) return renderErrors;
  const unplain = findUnplain(given);
  if (unplain) {
    const node = nodeAt(entry.source, entry.with ?? null, unplain.path).node;
    return [new ConfigError(`${pathString(['with', ...unplain.path])}: ${unplain.why}`, { pos: posOf(entry.source, node) })];
  }
  const { params, errors } = withDefaults(bundle, given);
  if (params) return params;
  const root: Node | null = entry.with ?? null;
  return schemaErrors(errors, {
    source: entry.source,
    root,
    basePath: ['with'],
    data: given,
    subject: (p) => (p.length ? `param ${p[0]} of bundle ${key}` : `bundle ${key} (params: ${bundle.params.join(', ') || 'none'})`),
    // no `with:` at all: a missing param is said at the entry
    locate: root ? undefined : () => ({ node: null, path: ['with'] }),
  }).map((e) => (root ? e : new ConfigError(e.message, { pos: entry.pos, hint: e.hint })));
}
