/**
 * A state file parsed once (host-independent): its includes, resolved to files, and its resource
 * declarations, each with its module kind found. Rendering and validation happen per host.
 */
import { dirname } from 'node:path';
import { isMap, isScalar, isSeq } from 'yaml';
import type { Node, Pair, YAMLMap } from 'yaml';
import { ConfigError, type KeelError, type SourcePos } from '../errors.js';
import type { ResourceModule } from '../module.js';
import { kindsOf, type ModuleSet } from '../module-set.js';
import { CONTROL_KEYS, readControlKeys, type ResourceControl } from './control-keys.js';
import { readIncludeEntry } from './include-entry.js';
import type { IncludeEntry } from './types.js';
import { describeValue, posOf, resolveAlias, scalarText, type YamlSource, readYamlFile } from './source.js';
import { locateState, stateNotFound } from './state-names.js';
import { closestMatch, didYouMean } from './suggest.js';
import { findSecretNodes } from '../secrets/secret-nodes.js';

/** Keys every resource takes besides its module's parameters. */
export const COMMON_KEYS = ['id', 'require', 'before', 'watch', 'notify', 'tags', ...CONTROL_KEYS] as const;
export const RELATION_KEYS = ['require', 'before', 'watch', 'notify'] as const;

export interface IncludeRef {
  /** The included state's name (absent for a bundle). */
  name?: string;
  pos: SourcePos;
  /** The included file, when it exists. */
  file?: string;
  /** The mapping form: a bundle instance, or a state under `when`. */
  entry?: IncludeEntry;
}

export interface ResourceDecl {
  source: YamlSource;
  map: YAMLMap;
  /** Index in the file's `resources:` list. */
  position: number;
  kind: string;
  /** The module of `kind`. */
  module: ResourceModule;
  kindPair: Pair;
  /** Its `when`, `loop` and `loop_var`. */
  control: ResourceControl;
}

export interface StateFile {
  file: string;
  dir: string;
  source?: YamlSource;
  /** Host-independent errors: YAML, structure, unknown module, missing include. */
  errors: KeelError[];
  includes: IncludeRef[];
  resources: ResourceDecl[];
}

/** `modules`: the types a resource may have (its module key tells which). */
export function parseStateFile(file: string, modules: ModuleSet, pos?: SourcePos): StateFile {
  const sf: StateFile = { file, dir: dirname(file), errors: [], includes: [], resources: [] };
  const { source, errors } = readYamlFile(file, pos);
  sf.errors.push(...errors);
  if (!source || errors.length) return sf;
  sf.source = source;
  // decrypted values must be known before any host compiles, to be redacted: they live in the inventory
  sf.errors.push(...findSecretNodes(source, () => undefined).errors);
  const root = resolveAlias(source, source.doc.contents);
  if (root === null || (isScalar(root) && root.value === null)) return sf; // empty file
  if (!isMap(root)) {
    sf.errors.push(new ConfigError("a state file is a mapping with keys 'include' and 'resources'", { pos: posOf(source, root) }));
    return sf;
  }
  for (const pair of root.items) {
    const key = scalarText(pair.key) ?? '';
    const value = resolveAlias(source, pair.value);
    if (key === 'include') readIncludes(sf, source, value);
    else if (key === 'resources') readResources(sf, source, value, modules);
    else {
      const msg = `unknown key '${key}' in state file${didYouMean(key, ['include', 'resources'], ': ')}`;
      sf.errors.push(new ConfigError(msg, { pos: posOf(source, pair.key as Node) }));
    }
  }
  return sf;
}

function readIncludes(sf: StateFile, source: YamlSource, value: Node | null): void {
  const items = isSeq(value) ? value.items : value === null ? [] : [value];
  for (const item of items) {
    const entry = readIncludeEntry(source, item, 'include', sf.errors);
    if (entry === undefined) continue;
    const pos = typeof entry === 'string' ? posOf(source, resolveAlias(source, item)) : entry.pos;
    const name = typeof entry === 'string' ? entry : entry.state;
    const mapping = typeof entry === 'string' ? undefined : entry;
    if (name === undefined) {
      sf.includes.push({ pos, entry: mapping });
      continue;
    }
    const loc = locateState(sf.dir, name, false);
    if (!loc.file) sf.errors.push(new ConfigError(stateNotFound(name, loc), { pos }));
    sf.includes.push({ name, pos, file: loc.file, entry: mapping });
  }
}

function readResources(sf: StateFile, source: YamlSource, value: Node | null, modules: ModuleSet): void {
  if (value === null || (isScalar(value) && value.value === null)) return;
  if (!isSeq(value)) {
    sf.errors.push(new ConfigError('resources: expected a list of resources', { pos: posOf(source, value) }));
    return;
  }
  value.items.forEach((raw, position) => {
    const map = resolveAlias(source, raw);
    if (!isMap(map)) {
      const found = describeValue(isScalar(map) ? map.value : map?.toJSON());
      sf.errors.push(
        new ConfigError(`resources[${position}]: expected a resource (mapping), found ${found}`, { pos: posOf(source, map) }),
      );
      return;
    }
    const decl = readResource(sf, source, map, position, modules);
    if (decl) sf.resources.push(decl);
  });
}

function readResource(sf: StateFile, source: YamlSource, map: YAMLMap, position: number, modules: ModuleSet): ResourceDecl | undefined {
  const kinds = kindsOf(modules);
  const typed = typeKeys(map.items.filter((p) => modules.has(scalarText(p.key) ?? '')), modules);
  if (typed.length === 0) {
    const keys = map.items.map((p) => scalarText(p.key) ?? '').filter((k) => !(COMMON_KEYS as readonly string[]).includes(k));
    const near = keys.map((k) => ({ k, m: closestMatch(k, kinds) })).find((x) => x.m !== undefined);
    const hint = near ? `; did you mean '${near.m}' for '${near.k}'?` : '';
    const at = near ? map.items.find((p) => scalarText(p.key) === near.k)?.key : map;
    sf.errors.push(
      new ConfigError(`resource has no module type: expected one of ${kinds.join(', ')}${hint}`, { pos: posOf(source, at as Node) }),
    );
    return undefined;
  }
  if (typed.length > 1) {
    const names = typed.map((p) => `'${scalarText(p.key)}'`).join(' and ');
    sf.errors.push(
      new ConfigError(`resource has more than one module type: ${names}`, {
        pos: posOf(source, typed[1].key as Node),
        hint: 'write one resource per module type',
      }),
    );
    return undefined;
  }
  const kindPair = typed[0];
  const idPair = map.items.find((p) => scalarText(p.key) === 'id');
  if (idPair && isSeq(resolveAlias(source, kindPair.value))) {
    sf.errors.push(
      new ConfigError(`explicit 'id' with a list of names: every ${scalarText(kindPair.key)} would get the same id`, {
        pos: posOf(source, idPair.key as Node),
        hint: 'write one resource per name to give each its own id',
      }),
    );
    return undefined;
  }
  const controlErrors: ConfigError[] = [];
  const control = readControlKeys(source, map, controlErrors);
  sf.errors.push(...controlErrors);
  if (controlErrors.length) return undefined;
  const kind = scalarText(kindPair.key)!;
  return { source, map, position, kind, module: modules.get(kind)!, kindPair, control };
}

/**
 * Some parameters share their name with a module (`user:` of git and command, `group:` of file
 * and user). Among several module keys, the type is the one whose module takes all the others
 * as parameters: `{git: /srv/app, user: app}` is a git resource run as `app`.
 */
function typeKeys<P extends { key: unknown }>(typed: P[], modules: ModuleSet): P[] {
  if (typed.length < 2) return typed;
  const names = typed.map((p) => scalarText(p.key as Node) ?? '');
  const owners = typed.filter((p, i) => {
    const params = modules.get(names[i])!.schema.properties;
    return names.every((other, j) => j === i || other in params);
  });
  return owners.length === 1 ? owners : typed;
}
