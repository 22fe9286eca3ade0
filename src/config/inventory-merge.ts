/**
 * Merging inventory layers (the output of each dynamic source, then inventory.yaml) into one
 * document in inventory.yaml's shape, remembering where every part came from, so an error
 * found later points at the static file's line or at the script and the path in its output.
 *
 * Rules (docs/inventory.md, "Dynamic inventory"): later layers win, and the static file is the
 * last, so it wins over every script; `vars` mappings merge key by key; lists of names (`states`,
 * `children`, `after`, a group's `hosts`) are joined; a host or group named in several layers is
 * one host or group whose settings merge by these rules.
 */
import type { Node } from 'yaml';
import type { SourcePos } from '../errors.js';
import type { PathSeg, YamlSource } from './source.js';
import { isPlainObject, type Vars } from './vars.js';

export interface InventoryLayer {
  doc: Vars;
  /** The position of a path of this layer's document (its key's when `key`). */
  at(path: PathSeg[], key: boolean): SourcePos;
  /** The YAML node at a path, for a layer read from YAML (a states entry's `with:` and `when:` are read from it). */
  node?(path: PathSeg[]): { source: YamlSource; node: Node | null } | undefined;
}

export interface MergedInventory {
  doc: Vars;
  /** The position of a path of the merged document, in the layer it came from. */
  at(path: PathSeg[], key?: boolean): SourcePos;
  /** The YAML node at a path of the merged document, when its layer was read from YAML. */
  node(path: PathSeg[]): { source: YamlSource; node: Node | null } | undefined;
}

interface Part {
  layer: number;
  path: PathSeg[];
  value: unknown;
}

type Merge = (parts: Part[], at: PathSeg[]) => unknown;

export function mergeLayers(layers: InventoryLayer[]): MergedInventory {
  const origins = new Map<string, { layer: number; path: PathSeg[] }>();
  const note = (at: PathSeg[], part: Part) => origins.set(JSON.stringify(at), { layer: part.layer, path: part.path });

  /** One part: taken whole, its origin noted once. Several: merged by `how`. */
  const field =
    (how: Merge): Merge =>
    (parts, at) => {
      if (parts.length === 1) {
        note(at, parts[0]);
        return parts[0].value;
      }
      return how(parts, at);
    };
  const last: Merge = field((parts, at) => {
    note(at, parts[parts.length - 1]);
    return parts[parts.length - 1].value;
  });
  const mapping = (child: (key: string) => Merge): Merge =>
    field((parts, at) => {
      const out: Vars = {};
      const keys = [...new Set(parts.flatMap((p) => (isPlainObject(p.value) ? Object.keys(p.value) : [])))];
      for (const k of keys) {
        const sub = parts.filter((p) => isPlainObject(p.value) && k in p.value).map((p) => ({ ...p, path: [...p.path, k], value: (p.value as Vars)[k] }));
        out[k] = child(k)(sub, [...at, k]);
      }
      return out;
    });
  const vars: Merge = field((parts, at) => (parts.every((p) => isPlainObject(p.value) || p.value === null) ? mapping(() => vars)(parts, at) : last(parts, at)));
  const names: Merge = field((parts, at) => {
    const out: unknown[] = [];
    for (const p of parts) {
      const items = Array.isArray(p.value) ? p.value : p.value === null || p.value === undefined ? [] : [p.value];
      items.forEach((item, i) => {
        if (typeof item === 'string' && out.includes(item)) return;
        note([...at, out.length], { ...p, path: Array.isArray(p.value) ? [...p.path, i] : p.path });
        out.push(item);
      });
    }
    return out;
  });
  const host = mapping((k) => (k === 'vars' ? vars : k === 'states' ? names : last));
  const hostMap = mapping(() => host);
  // a group's hosts: a list of names, or a mapping of hosts with settings; mixed, a mapping
  const groupHosts: Merge = field((parts, at) => {
    if (parts.every((p) => Array.isArray(p.value))) return names(parts, at);
    const asMap = parts.map((p) => (Array.isArray(p.value) ? { ...p, value: Object.fromEntries(p.value.filter((h) => typeof h === 'string').map((h) => [h, null])) } : p));
    const out = hostMap(asMap, at);
    // a host only listed (never given settings) is where a list names it
    const withSettings = new Set(parts.flatMap((p) => (isPlainObject(p.value) ? Object.keys(p.value) : [])));
    for (const p of parts) {
      if (Array.isArray(p.value)) p.value.forEach((h, i) => typeof h === 'string' && !withSettings.has(h) && note([...at, h], { ...p, path: [...p.path, i] }));
    }
    return out;
  });
  const group = mapping((k) => (k === 'vars' ? vars : k === 'hosts' ? groupHosts : ['states', 'children', 'after'].includes(k) ? names : last));
  const top = mapping((k) =>
    k === 'vars' ? vars : k === 'states' ? names : k === 'hosts' ? hostMap : k === 'groups' ? mapping(() => group) : k === 'defaults' ? mapping(() => last) : last,
  );

  const parts = layers.map((l, layer) => ({ layer, path: [], value: l.doc }));
  const doc = parts.length ? top(parts, []) : {};

  /** The layer a path of the merged document came from, and its path there. */
  const origin = (path: PathSeg[]): { layer: InventoryLayer; path: PathSeg[] } => {
    for (let n = path.length; n >= 0; n--) {
      const o = origins.get(JSON.stringify(path.slice(0, n)));
      if (o) return { layer: layers[o.layer], path: [...o.path, ...path.slice(n)] };
    }
    return { layer: layers[layers.length - 1], path };
  };
  return {
    doc: isPlainObject(doc) ? doc : {},
    at(path, key = false) {
      const o = origin(path);
      return o.layer.at(o.path, key);
    },
    node(path) {
      const o = origin(path);
      return o.layer.node?.(o.path);
    },
  };
}
