/**
 * `when`, `loop` and `loop_var` of a resource, checked once per state file (they do not depend
 * on the host): what each may hold is decided here, what they give per host in expand.ts.
 */
import { isMap, isScalar, isSeq } from 'yaml';
import type { Node, Pair, YAMLMap } from 'yaml';
import { ConfigError } from '../errors.js';
import { hasTemplate } from './render.js';
import { describeValue, posOf, resolveAlias, scalarText, type YamlSource } from './source.js';

/** Keys that decide whether and how often a resource is declared; never module parameters. */
export const CONTROL_KEYS = ['when', 'loop', 'loop_var'] as const;

export const isControlKey = (key: string): boolean => (CONTROL_KEYS as readonly string[]).includes(key);

export const DEFAULT_LOOP_VAR = 'item';
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface ResourceControl {
  /** The `when` value: a string expression or a YAML boolean. */
  when?: { node: Node; value: string | boolean };
  /** The `loop` value: a YAML list, or a string with a template that gives a list. */
  loop?: { key: Node; node: Node };
  /** The loop's variable (`item` unless `loop_var` says otherwise) and where it was named. */
  loopVar: string;
  loopVarNode?: Node;
}

export function readControlKeys(source: YamlSource, map: YAMLMap, errors: ConfigError[]): ResourceControl {
  const control: ResourceControl = { loopVar: DEFAULT_LOOP_VAR };
  const pair = (k: string) => map.items.find((p) => scalarText(p.key) === k) as Pair<Node, Node> | undefined;
  const err = (message: string, node: Node | null, hint?: string) => errors.push(new ConfigError(message, { pos: posOf(source, node), hint }));

  const when = pair('when');
  if (when) {
    const node = resolveAlias(source, when.value);
    const value = isScalar(node) ? node.value : node?.toJSON();
    if (node && (typeof value === 'boolean' || (typeof value === 'string' && value.trim() !== ''))) control.when = { node, value };
    else err(`when: expected a condition (an expression such as "env == 'prod'", or true/false), found ${describeValue(value)}`, node ?? when.key);
  }

  const loop = pair('loop');
  if (loop) {
    const node = resolveAlias(source, loop.value);
    const value = isScalar(node) ? node.value : undefined;
    if (node && (isSeq(node) || (typeof value === 'string' && hasTemplate(value)))) control.loop = { key: loop.key, node };
    else {
      const found = isMap(node) ? '{...} (mapping)' : describeValue(value);
      const hint = isMap(node)
        ? 'to loop over a mapping, write "{{ mapping | dictsort }}": each item is then a [key, value] pair'
        : 'write a YAML list, or a template such as "{{ users }}" that gives one';
      err(`loop: expected a list (or a "{{ }}" template giving one), found ${found}`, node ?? loop.key, hint);
    }
  }

  const loopVar = pair('loop_var');
  if (loopVar) {
    const node = resolveAlias(source, loopVar.value);
    const name = isScalar(node) ? node.value : node?.toJSON();
    if (!loop) err("loop_var without loop: it names the variable of each loop item", loopVar.key, "add 'loop:' or remove 'loop_var:'");
    else if (typeof name !== 'string' || !IDENTIFIER.test(name)) {
      err(`loop_var: expected a variable name (letters, digits and _, not starting with a digit), found ${describeValue(name)}`, node ?? loopVar.key);
    } else {
      control.loopVar = name;
      control.loopVarNode = node ?? undefined;
    }
  }
  return control;
}
