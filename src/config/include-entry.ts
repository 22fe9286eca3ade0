/**
 * One item of an `include:` list (state file) or a `states:` list (inventory): a state name, or
 * a mapping `{state, when}` / `{bundle, name, with, when}`. Read from the YAML node, so that
 * every later error (an unknown bundle, a param, the condition) points at its own key.
 */
import { isMap, isScalar } from 'yaml';
import type { Node } from 'yaml';
import { ConfigError, type KeelError } from '../errors.js';
import { describeValue, posOf, resolveAlias, scalarText, type YamlSource } from './source.js';
import { didYouMean } from './suggest.js';
import type { IncludeEntry, StateEntry } from './types.js';

const KEYS = ['state', 'bundle', 'name', 'with', 'when'];
/** A bundle instance's name becomes part of ids (`nginx_site[shop]/...`): a word, no brackets or slashes. */
const INSTANCE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** The entry, or undefined after pushing its errors. `what` names the list in messages. */
export function readIncludeEntry(source: YamlSource, raw: unknown, what: string, errors: KeelError[]): StateEntry | undefined {
  const item = resolveAlias(source, raw);
  if (isScalar(item) && typeof item.value === 'string') return item.value;
  if (!isMap(item)) {
    const found = describeValue(isScalar(item) ? item.value : item?.toJSON());
    const msg = `${what}: expected a state name (string) or a mapping {state, when} / {bundle, name, with, when}, found ${found}`;
    errors.push(new ConfigError(msg, { pos: posOf(source, item) }));
    return undefined;
  }
  const entry: IncludeEntry = { pos: posOf(source, item), source };
  const before = errors.length;
  const at = (node: unknown) => posOf(source, node as Node);
  for (const pair of item.items) {
    const key = scalarText(pair.key) ?? '';
    const value = resolveAlias(source, pair.value);
    if (!KEYS.includes(key)) {
      errors.push(new ConfigError(`unknown key '${key}' in ${what} entry${didYouMean(key, KEYS, ': ')}`, { pos: at(pair.key) }));
    } else if (key === 'with') {
      if (value !== null && !isMap(value) && !(isScalar(value) && value.value === null)) {
        errors.push(new ConfigError(`${what}: 'with' expects a mapping of the bundle's params, found ${describe(value)}`, { pos: at(value) }));
      } else entry.with = value;
    } else if (key === 'when') {
      entry.when = value;
    } else {
      const text = isScalar(value) && typeof value.value === 'string' ? value.value : undefined;
      if (text === undefined || text === '') {
        errors.push(new ConfigError(`${what}: '${key}' expects a name (string), found ${describe(value)}`, { pos: at(value ?? pair.key) }));
      } else if (key === 'name' && !INSTANCE_NAME.test(text)) {
        const msg = `${what}: instance name '${text}' must be letters, digits, '_', '.' or '-' (it becomes part of resource ids)`;
        errors.push(new ConfigError(msg, { pos: at(value) }));
      } else if (key === 'name') entry.instance = text;
      else entry[key as 'state' | 'bundle'] = text;
    }
  }
  if (errors.length > before) return undefined;
  return checkShape(entry, item, what, errors);
}

function checkShape(entry: IncludeEntry, item: Node, what: string, errors: KeelError[]): IncludeEntry | undefined {
  const pos = entry.pos;
  if (entry.state !== undefined && entry.bundle !== undefined) {
    errors.push(new ConfigError(`${what}: an entry is a state or a bundle, not both`, { pos, hint: 'write two entries' }));
  } else if (entry.state === undefined && entry.bundle === undefined) {
    errors.push(new ConfigError(`${what}: an entry needs 'state' (a state name) or 'bundle' (a bundle name)`, { pos: posOf(entry.source, item) }));
  } else if (entry.bundle !== undefined && entry.instance === undefined) {
    const hint = `instances are told apart by their name: "- {bundle: ${entry.bundle}, name: NAME, with: {...}}"`;
    errors.push(new ConfigError(`${what}: bundle '${entry.bundle}' needs 'name' (the instance's name)`, { pos, hint }));
  } else if (entry.state !== undefined && (entry.instance !== undefined || entry.with !== undefined)) {
    errors.push(new ConfigError(`${what}: 'name' and 'with' belong to a bundle entry, not to state '${entry.state}'`, { pos }));
  } else {
    return entry;
  }
  return undefined;
}

function describe(node: Node | null): string {
  return describeValue(isScalar(node) ? node.value : node?.toJSON());
}
