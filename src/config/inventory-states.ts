/**
 * The `states:` lists of an inventory (top level, groups, hosts): state names, checked where
 * they are written, and mapping entries (`{bundle, name, with, when}`, `{state, when}`), read
 * with their YAML nodes so that compiling a host can point at a param or a condition.
 */
import { ConfigError, type KeelError, type SourcePos } from '../errors.js';
import { readIncludeEntry } from './include-entry.js';
import type { MergedInventory } from './inventory-merge.js';
import type { PathSeg } from './source.js';
import { locateState, stateNotFound } from './state-names.js';
import type { StateEntry } from './types.js';

export type StatesAt = (value: unknown, path: PathSeg[]) => StateEntry[];

/** Reads each list once (by its path) and reports its errors once, however many hosts use it. */
export function statesReader(merged: MergedInventory, dir: string, errors: KeelError[]): StatesAt {
  const read = new Map<string, StateEntry[]>();
  const valueAt = (path: PathSeg[]): SourcePos => merged.at(path);
  return (value, path) => {
    const key = JSON.stringify(path);
    let entries = read.get(key);
    if (entries) return entries;
    entries = [];
    const items = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
    items.forEach((item, i) => {
      const itemPath = Array.isArray(value) ? [...path, i] : path;
      const yaml = typeof item === 'string' ? undefined : merged.node(itemPath);
      if (typeof item !== 'string' && !yaml) {
        const msg = 'states: a dynamic inventory gives state names; bundle instances and conditions belong in inventory.yaml';
        errors.push(new ConfigError(msg, { pos: valueAt(itemPath) }));
        return;
      }
      const entry = typeof item === 'string' ? item : readIncludeEntry(yaml!.source, yaml!.node, 'states', errors);
      if (entry === undefined) return;
      const name = typeof entry === 'string' ? entry : entry.state;
      if (name !== undefined && !locateState(dir, name, true).file) {
        errors.push(new ConfigError(stateNotFound(name, locateState(dir, name, true)), { pos: valueAt(itemPath) }));
        return;
      }
      entries.push(entry);
    });
    read.set(key, entries);
    return entries;
  };
}

/** Names once each (the first place wins, as before); bundle instances and conditional entries all kept. */
export function mergeStates(...lists: StateEntry[][]): StateEntry[] {
  const seen = new Set<string>();
  return lists.flat().filter((e) => typeof e !== 'string' || (!seen.has(e) && (seen.add(e), true)));
}
