/**
 * YAML sources with positions: every node keeps its offset, so any error found later (schema,
 * render, reference) can point at file:line:column of the value, key or mapping at fault.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, visit } from 'yaml';
import type { Document, Node, Scalar, ScalarTag } from 'yaml';
import { ConfigError, type SourcePos } from '../errors.js';

export interface YamlSource {
  /** The path as shown in messages (as the user gave it, joined with relative names). */
  file: string;
  text: string;
  doc: Document.Parsed;
  lc: LineCounter;
}

/** A path inside a document: mapping keys and sequence indexes. */
export type PathSeg = string | number;

export interface Located {
  /** The deepest node reached along the path (the value itself when the whole path exists). */
  node: Node | null;
  /** The key node of the last mapping step, when the last step was a mapping key. */
  key: Node | null;
  /** True when every segment was found. */
  complete: boolean;
}

/**
 * The last parse of each file, reused while its text is unchanged: `keel drift --every` loads
 * the same files on every run, and parsing is most of loading. A parse depends on nothing else.
 */
const lastParse = new Map<string, { text: string; parsed: { source: YamlSource; errors: ConfigError[] } }>();

/** Read and parse a YAML file; a missing file or malformed YAML becomes ConfigErrors, never a throw. */
export function readYamlFile(file: string, pos?: SourcePos): { source?: YamlSource; errors: ConfigError[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String(e);
    return { errors: [new ConfigError(`cannot read ${file}: ${why}`, { pos, cause: e })] };
  }
  let last = lastParse.get(file);
  if (last?.text !== text) lastParse.set(file, (last = { text, parsed: parseYamlText(file, text) }));
  return { source: last.parsed.source, errors: [...last.parsed.errors] };
}

export function parseYamlText(file: string, text: string): { source: YamlSource; errors: ConfigError[] } {
  const lc = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true, customTags: [SECRET_SCALAR] });
  } catch (e) {
    // the yaml parser recurses once per nesting level: thousands of levels overflow its stack
    if (!(e instanceof RangeError)) throw e;
    const empty = parseDocument('');
    const source: YamlSource = { file, text, doc: empty, lc: lineCounter(text) };
    return { source, errors: [new ConfigError(`invalid YAML: ${TOO_DEEP}`, { pos: posAt(source, deepest(text)) })] };
  }
  const source: YamlSource = { file, text, doc, lc };
  const templates = new Set<number>();
  const errors: ConfigError[] = [];
  for (const e of doc.errors) {
    // one unquoted template can give the parser several errors on its line: name it once
    const template = unquotedTemplateOnLine(text, e.pos[0]);
    if (template !== undefined) {
      if (!templates.has(template)) errors.push(unquotedTemplateError(source, template));
      templates.add(template);
    } else {
      errors.push(new ConfigError(`invalid YAML: ${/Maximum call stack/.test(e.message) ? TOO_DEEP : e.message}`, { pos: posAt(source, e.pos[0]) }));
    }
  }
  if (errors.length === 0) errors.push(...unquotedTemplates(source));
  // `{{ x }}` unquoted is also a mapping used as a key: one explanation is enough
  if (errors.length === 0) errors.push(...unsafeNodes(source));
  return { source, errors };
}

/** `!secret` (armored age ciphertext, secrets/secret-nodes.ts) reads as its string; decrypted later. */
const SECRET_SCALAR: ScalarTag = { tag: '!secret', resolve: (text: string) => text };

const TOO_DEEP = 'nested too deeply to read (thousands of levels)';

function lineCounter(text: string): LineCounter {
  const lc = new LineCounter();
  lc.addNewLine(0);
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lc.addNewLine(i + 1);
  return lc;
}

/** Offset of the line indented or bracketed deepest: where a too-deep nesting is. */
function deepest(text: string): number {
  let best = 0;
  let bestDepth = -1;
  let offset = 0;
  for (const line of text.split('\n')) {
    const depth = /^[\s\-[{]*/.exec(line)![0].length;
    if (depth > bestDepth) (best = offset), (bestDepth = depth);
    offset += line.length + 1;
  }
  return best;
}

/**
 * Values no tool can take: a NUL byte (a C string ends there: a path or name would be cut short,
 * and Node refuses it in process arguments), and an alias inside its own anchor (a value that
 * contains itself, endless to render).
 */
function unsafeNodes(source: YamlSource): ConfigError[] {
  const errors: ConfigError[] = [];
  visit(source.doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && node.value.includes('\0')) {
        errors.push(
          new ConfigError('a NUL character (\\0) is not allowed in any value', {
            pos: posOf(source, node),
            hint: 'file contents with NUL bytes go in a file read with `source:`',
          }),
        );
      }
    },
    Pair(_key, pair) {
      if (isMap(pair.key) || isSeq(pair.key)) {
        errors.push(new ConfigError('a key must be a plain value, not a list or mapping', { pos: posOf(source, pair.key as Node) }));
      }
    },
    Alias(_key, node, path) {
      const target = node.resolve(source.doc);
      if (target && (path as readonly unknown[]).includes(target)) {
        errors.push(
          new ConfigError(`alias '*${node.source}' is inside its own anchor '&${node.source}': the value would contain itself`, {
            pos: posOf(source, node),
            hint: 'an alias can repeat a value defined before it, not the value it is part of',
          }),
        );
      }
    },
  });
  return errors;
}

/** `key: {{ x }}` parses as a flow mapping, a classic trap: say so instead of a schema error. */
function unquotedTemplates(source: YamlSource): ConfigError[] {
  const errors: ConfigError[] = [];
  visit(source.doc, {
    Map(_key, node) {
      const start = node.range?.[0];
      if (start !== undefined && source.text.startsWith('{{', start)) {
        errors.push(unquotedTemplateError(source, start));
        return visit.SKIP;
      }
      return undefined;
    },
  });
  return errors;
}

function unquotedTemplateError(source: YamlSource, offset: number): ConfigError {
  return new ConfigError("unquoted '{{' starts a YAML mapping, not a template", {
    pos: posAt(source, offset),
    hint: 'quote the whole value: "{{ ... }}"',
  });
}

/**
 * Where a plain (unquoted) value starting with `{{` is on the line of a parse error, if one is:
 * `- file: {{ root }}/a` does not parse at all (YAML reads a flow mapping, then "Unexpected scalar
 * at node end"), and the unquoted template is the reason to name.
 */
function unquotedTemplateOnLine(text: string, offset: number): number | undefined {
  const start = text.lastIndexOf('\n', Math.max(0, offset - 1)) + 1;
  const end = text.indexOf('\n', start);
  const line = text.slice(start, end < 0 ? undefined : end);
  const m = /^(\s*(?:-\s+)*(?:[^\s'"#{[-][^:#]*:\s+)?)\{\{/.exec(line);
  return m ? start + m[1].length : undefined;
}

export function posAt(source: YamlSource, offset: number): SourcePos {
  const { line, col } = source.lc.linePos(offset);
  return { file: source.file, line: Math.max(line, 1), column: Math.max(col, 1) };
}

/** Start of a node; the file's first line when the node has no range (an empty document). */
export function posOf(source: YamlSource, node: Node | null | undefined): SourcePos {
  const start = node?.range?.[0];
  return start === undefined ? { file: source.file, line: 1, column: 1 } : posAt(source, start);
}

export function resolveAlias(source: YamlSource, node: unknown): Node | null {
  let n = node;
  for (let i = 0; i < 20 && isAlias(n); i++) n = n.resolve(source.doc) ?? null;
  return (n as Node | null) ?? null;
}

/** Follow a path from `root`, as far as the document goes. */
export function nodeAt(source: YamlSource, root: Node | null, path: readonly PathSeg[]): Located {
  let node = resolveAlias(source, root);
  let key: Node | null = null;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => scalarText(p.key) === String(seg));
      if (!pair) return { node, key, complete: false };
      key = pair.key as Node;
      node = resolveAlias(source, pair.value) ?? key;
    } else if (isSeq(node) && typeof seg === 'number' && node.items[seg] !== undefined) {
      key = null;
      node = resolveAlias(source, node.items[seg]);
    } else {
      return { node, key, complete: false };
    }
  }
  return { node, key, complete: true };
}

/** The string value of a scalar key/value node, or undefined for anything else. */
export function scalarText(node: unknown): string | undefined {
  if (!isScalar(node)) return undefined;
  const v = (node as Scalar).value;
  return v === null || v === undefined ? undefined : String(v);
}

/** `resources[2].mode` */
export function pathString(path: readonly PathSeg[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** `644 (number)`, `"abc" (string)`, `[...] (list)` for messages. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  const kind = Array.isArray(v) ? 'list' : typeof v === 'object' ? 'mapping' : typeof v;
  let shown = Array.isArray(v) ? '[...]' : typeof v === 'object' ? '{...}' : JSON.stringify(v);
  if (shown.length > 60) shown = `${shown.slice(0, 57)}..."`;
  return `${shown} (${kind})`;
}
