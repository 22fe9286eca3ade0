/** Turn a YAML node into plain data, rendering every templated string scalar with one host's vars. */
import { isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { Node, Scalar } from 'yaml';
import { ConfigError, ConfigErrors, type KeelError } from '../errors.js';
import { hasTemplate, type Renderer, type TextLocation } from './render.js';
import { posAt, posOf, resolveAlias, type YamlSource } from './source.js';

/** Render errors are appended to `errors`; the unrendered text is kept in their place. */
export function renderNode(source: YamlSource, node: unknown, r: Renderer, errors: KeelError[]): unknown {
  if (isAlias(node)) {
    const target = resolveAlias(source, node);
    if (!target) {
      errors.push(new ConfigError(`unknown alias '*${node.source}'`, { pos: posOf(source, node as Node) }));
      return null;
    }
    return renderNode(source, target, r, errors);
  }
  if (isMap(node)) {
    const out: Record<string, unknown> = {};
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      out[key] = renderNode(source, pair.value, r, errors);
    }
    return out;
  }
  if (isSeq(node)) return node.items.map((item) => renderNode(source, item, r, errors));
  if (isScalar(node)) return renderScalar(source, node, r, errors);
  return null;
}

export function renderScalar(source: YamlSource, node: Scalar, r: Renderer, errors: KeelError[]): unknown {
  const value = node.value;
  if (typeof value !== 'string' || !hasTemplate(value)) return value;
  try {
    return r.render(value, scalarLocation(source, node));
  } catch (e) {
    if (e instanceof ConfigErrors) errors.push(...e.errors);
    else if (e instanceof ConfigError) errors.push(e);
    else throw e;
    return value;
  }
}

/**
 * Map an offset in a scalar's value back to the file. With a token (a variable name) its n-th
 * occurrence in the value is looked up in the source text, which works for every quoting style;
 * otherwise plain and quoted one-line scalars map directly, others point at the scalar.
 */
export function scalarLocation(source: YamlSource, node: Scalar): TextLocation {
  const [start, end] = node.range ?? [0, 0];
  const raw = source.text.slice(start, end);
  const value = String(node.value);
  return {
    pos(offset, token) {
      // a token is a variable name; one thousands of characters long would not fit a RegExp
      if (token && token.length <= 1000) {
        const n = occurrences(value.slice(0, offset), token);
        const at = nthOccurrence(raw, token, n);
        if (at >= 0) return posAt(source, start + at);
      }
      const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
      if ((node.type === 'PLAIN' || quoted) && !raw.includes('\n') && raw.length === value.length + (quoted ? 2 : 0)) {
        return posAt(source, start + (quoted ? 1 : 0) + offset);
      }
      return posAt(source, start);
    },
  };
}

function wordRe(token: string): RegExp {
  return new RegExp(`(?<![\\w.])${token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?!\\w)`, 'g');
}

function occurrences(text: string, token: string): number {
  return [...text.matchAll(wordRe(token))].length;
}

function nthOccurrence(text: string, token: string, n: number): number {
  const all = [...text.matchAll(wordRe(token))];
  return all[n]?.index ?? -1;
}
