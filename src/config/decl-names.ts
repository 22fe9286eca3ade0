/** The names one resource declaration gives: a scalar, a YAML list (the shorthand), or a template giving a list. */
import { isMap, isSeq } from 'yaml';
import type { Node } from 'yaml';
import type { KeelError } from '../errors.js';
import type { Renderer } from './render.js';
import { renderNode } from './render-tree.js';
import { resolveAlias, type PathSeg } from './source.js';
import type { ResourceDecl } from './state-file.js';

export interface DeclName {
  /** Rendered; on a render error (appended to `errors`) the unrendered text. */
  value: unknown;
  node: Node | null;
  path: PathSeg[];
}

export function declNames(decl: ResourceDecl, r: Renderer, errors: KeelError[]): DeclName[] {
  const { source, kind } = decl;
  const kindValue = resolveAlias(source, decl.kindPair.value);
  const kindPath: PathSeg[] = ['resources', decl.position, kind];
  if (isSeq(kindValue)) {
    return kindValue.items.map((item, i) => ({ value: renderNode(source, item, r, errors), node: resolveAlias(source, item), path: [...kindPath, i] }));
  }
  const value = renderNode(source, kindValue, r, errors);
  const list = Array.isArray(value) && !isMap(kindValue) ? value : [value];
  return list.map((v) => ({ value: v, node: kindValue ?? (decl.kindPair.key as Node), path: kindPath }));
}

/** Numbers and booleans name resources as their text (`pkg: 7zip` is fine, so is `user: 1000`). */
export function nameText(value: unknown): unknown {
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
}
