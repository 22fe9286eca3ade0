/** A walk over a parsed YAML document's nodes with their paths (aliases are not followed). */
import { isAlias, isMap, isPair, isSeq } from 'yaml';
import type { Node } from 'yaml';
import { posOf, scalarText, type PathSeg, type YamlSource } from './source.js';

export interface WalkContext {
  /** Inside a flow collection (`{a: ...}`, `[...]`): block scalars cannot stand there. */
  inFlow: boolean;
  /** 0-based column of the enclosing key or sequence: a block value is indented past it. */
  parentColumn: number;
}

/** `onNode` returning 'skip' does not descend into that node. */
export function walkNodes(source: YamlSource, onNode: (node: Node, path: PathSeg[], ctx: WalkContext) => 'skip' | void): void {
  const column = (node: Node | null | undefined) => posOf(source, node).column - 1;
  const walk = (node: unknown, path: PathSeg[], ctx: WalkContext): void => {
    if (!node || isAlias(node)) return;
    const n = node as Node;
    if (onNode(n, path, ctx) === 'skip') return;
    if (isMap(n)) {
      for (const pair of n.items) {
        if (isPair(pair)) walk(pair.value, [...path, scalarText(pair.key) ?? ''], { inFlow: ctx.inFlow || !!n.flow, parentColumn: column(pair.key as Node) });
      }
    } else if (isSeq(n)) {
      n.items.forEach((item, i) => walk(item, [...path, i], { inFlow: ctx.inFlow || !!n.flow, parentColumn: column(n) }));
    }
  };
  walk(source.doc.contents, [], { inFlow: false, parentColumn: 0 });
}
