/**
 * One resource declaration -> the resources it gives on one host: one per `loop` item (the item
 * is a variable of every parameter, the name and `when`), each kept only if its `when` holds.
 * Those whose condition is false become SkippedResources: shown in the plan, never probed.
 */
import { isScalar, isSeq } from 'yaml';
import type { Node, Scalar } from 'yaml';
import { ConfigError, ConfigErrors, type KeelError } from '../errors.js';
import { declNames, nameText } from './decl-names.js';
import { withHost } from './format.js';
import { hasTemplate, type Renderer } from './render.js';
import { renderNode, renderScalar, scalarLocation } from './render-tree.js';
import { resourceValidator } from './resource-schema.js';
import { schemaErrors } from './schema-errors.js';
import { describeValue, nodeAt, pathString, posOf, scalarText, type YamlSource } from './source.js';
import type { ResourceDecl } from './state-file.js';
import type { Resource, SkippedResource } from './types.js';
import { evaluateWhen } from './when.js';

interface LoopItem {
  index: number;
  value: unknown;
  /** The item's node in a literal YAML list. */
  node?: Node;
}

interface Unit {
  renderer: Renderer;
  item?: LoopItem;
}

/** `build` turns one unit (its renderer) into resources, reporting its own errors. */
export function expandDecl<T extends { resource: Resource }>(
  decl: ResourceDecl,
  r: Renderer,
  host: string,
  errors: KeelError[],
  build: (r: Renderer) => T[],
): { built: T[]; skipped: SkippedResource[] } {
  const own: KeelError[] = [];
  const built: { item?: LoopItem; b: T }[] = [];
  const skipped: SkippedResource[] = [];
  for (const unit of loopUnits(decl, r, own)) {
    const holds = condition(decl, unit.renderer, own);
    if (holds === true) for (const b of build(unit.renderer)) built.push({ item: unit.item, b });
    else if (holds === false) skipped.push(...skippedResources(decl, unit.renderer));
  }
  // a resource skipped everywhere is still checked as far as it can be: a typo must not wait for the condition to hold
  if (built.length === 0 && skipped.length > 0) own.push(...literalErrors(decl));
  const dropped = sameIds(decl, built, own);
  errors.push(...own.map((e) => withHost(e, host)));
  return { built: built.filter((x) => !dropped.has(x.b)).map((x) => x.b), skipped };
}

function collect<V>(errors: KeelError[], fn: () => V): V | undefined {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ConfigErrors) errors.push(...e.errors);
    else if (e instanceof ConfigError) errors.push(e);
    else throw e;
    return undefined;
  }
}

function loopUnits(decl: ResourceDecl, r: Renderer, errors: KeelError[]): Unit[] {
  const { loop, loopVar, loopVarNode } = decl.control;
  if (!loop) return [{ renderer: r }];
  if (loopVar in r.vars) {
    const at = loopVarNode ?? loop.key;
    errors.push(
      new ConfigError(`the loop variable '${loopVar}' would hide the variable '${loopVar}' of this host`, {
        pos: posOf(decl.source, at),
        hint: `name the loop's variable otherwise: loop_var: ${loopVar}_item`,
      }),
    );
    return [];
  }
  return loopItems(decl.source, loop.node, r, errors).map((item) => ({ renderer: r.withVars({ [loopVar]: item.value }), item }));
}

function loopItems(source: YamlSource, node: Node, r: Renderer, errors: KeelError[]): LoopItem[] {
  const renderErrors: KeelError[] = [];
  if (isSeq(node)) {
    const items = node.items.map((n, index) => ({ index, value: renderNode(source, n, r, renderErrors), node: n as Node }));
    errors.push(...renderErrors);
    return renderErrors.length ? [] : items;
  }
  const value = renderScalar(source, node as Scalar, r, renderErrors);
  errors.push(...renderErrors);
  if (renderErrors.length) return [];
  if (Array.isArray(value)) return value.map((v, index) => ({ index, value: v }));
  const mapping = value !== null && typeof value === 'object';
  errors.push(
    new ConfigError(`loop: expected a list, ${JSON.stringify((node as Scalar).value)} gave ${describeValue(value)}`, {
      pos: posOf(source, node),
      hint: mapping ? 'to loop over a mapping, write "{{ mapping | dictsort }}": each item is then a [key, value] pair' : undefined,
    }),
  );
  return [];
}

/** true, false, or undefined when the condition does not evaluate (its error is in `errors`). */
function condition(decl: ResourceDecl, r: Renderer, errors: KeelError[]): boolean | undefined {
  const when = decl.control.when;
  if (!when) return true;
  const at = isScalar(when.node) ? scalarLocation(decl.source, when.node) : undefined;
  return collect(errors, () => evaluateWhen(when.value, r, at));
}

/** Names, id and tags as far as they render: a skipped resource's name may use what its condition tests for. */
function skippedResources(decl: ResourceDecl, r: Renderer): SkippedResource[] {
  const { source, map, kind } = decl;
  const ignored: KeelError[] = [];
  const param = (key: string) => {
    const found = nodeAt(source, map, [key]);
    return found.complete ? renderNode(source, found.node, r, ignored) : undefined;
  };
  const id = param('id');
  const tags = param('tags');
  return declNames(decl, r, ignored).map((n) => {
    const value = nameText(n.value);
    const name = typeof value === 'string' ? value : String(scalarText(n.node) ?? JSON.stringify(value));
    return {
      id: typeof id === 'string' ? id : `${kind}:${name}`,
      kind,
      name,
      tags: Array.isArray(tags) ? tags.map(String) : typeof tags === 'string' ? [tags] : [],
      pos: posOf(source, decl.kindPair.key as Node),
      condition: String(decl.control.when!.value),
    };
  });
}

/** Renders nothing: a declaration's values as written. */
const AS_WRITTEN: Renderer = { vars: {}, render: (t) => t, renderString: (t) => t, withVars: () => AS_WRITTEN };

const holdsTemplate = (v: unknown): boolean =>
  typeof v === 'string' ? hasTemplate(v) : Array.isArray(v) ? v.some(holdsTemplate) : v !== null && typeof v === 'object' ? Object.values(v).some(holdsTemplate) : false;

/**
 * What is wrong whatever the condition: unknown keys, and values written without a template
 * (`mode: 644`). A templated value may be right only where the condition holds: not checked.
 */
function literalErrors(decl: ResourceDecl): KeelError[] {
  const { source, map, kind } = decl;
  const validate = resourceValidator(decl.module);
  const data: Record<string, unknown> = { name: '' };
  const unknownNow = new Set(['name']);
  for (const p of map.items) {
    if (p === decl.kindPair) continue;
    const key = scalarText(p.key) ?? '';
    data[key] = renderNode(source, p.value, AS_WRITTEN, []);
    if (holdsTemplate(data[key])) unknownNow.add(key);
  }
  validate(data);
  const topKey = (pointer: string) => pointer.split('/')[1].replace(/~1/g, '/').replace(/~0/g, '~');
  const sure = (validate.errors ?? []).filter((e) =>
    e.instancePath === '' ? e.keyword === 'additionalProperties' : !unknownNow.has(topKey(e.instancePath)),
  );
  return schemaErrors(sure, { source, root: map, basePath: ['resources', decl.position], data, subject: (p) => (p.length ? `${kind} ${pathString(p)}` : kind) });
}

/** Two loop items that give the same id: one error naming both; the second is dropped (returned). */
function sameIds<T extends { resource: Resource }>(decl: ResourceDecl, built: { item?: LoopItem; b: T }[], errors: KeelError[]): Set<T> {
  const first = new Map<string, LoopItem>();
  const dropped = new Set<T>();
  for (const { item, b } of built) {
    if (!item) continue;
    const id = b.resource.id;
    const prev = first.get(id);
    if (!prev) first.set(id, item);
    else if (prev.index !== item.index) {
      const at = prev.node ? `, ${lineOf(decl.source, prev.node)}` : '';
      const msg = `loop items ${prev.index} (${shown(prev.value)}${at}) and ${item.index} (${shown(item.value)}) give the same id '${id}'`;
      const pos = posOf(decl.source, item.node ?? decl.control.loop!.node);
      errors.push(new ConfigError(msg, { pos, hint: 'each item must give its own name (or id, e.g. id: "site-{{ item }}")' }));
      dropped.add(b);
    }
  }
  return dropped;
}

function lineOf(source: YamlSource, node: Node): string {
  const p = posOf(source, node);
  return `line ${p.line}`;
}

function shown(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
