/**
 * Rewriting `!secret` values inside a YAML text, and only them: every other byte (comments,
 * order, quoting, alignment) stays as written, so `keel secret edit` leaves a clean git diff.
 * Pure: text in, text out.
 */
import type { SecretNode } from './secret-nodes.js';

/** `text` with each secret's value replaced by `valueOf(secret)`, written as a YAML scalar that fits where it stands. */
export function spliceSecrets(text: string, secrets: readonly SecretNode[], valueOf: (s: SecretNode, index: number) => string): string {
  const edits = secrets.map((s, i) => edit(text, s, valueOf(s, i))).sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of edits) out = out.slice(0, e.start) + e.replacement + out.slice(e.end);
  return out;
}

function edit(text: string, s: SecretNode, value: string): { start: number; end: number; replacement: string } {
  const [start, valueEnd] = s.node.range ?? [0, 0];
  const wasBlock = s.node.type === 'BLOCK_LITERAL' || s.node.type === 'BLOCK_FOLDED';
  // a block scalar's range takes its final line breaks: put back as many
  const tail = wasBlock ? (/\n*$/.exec(text.slice(start, valueEnd))?.[0] ?? '') : '';
  // and a comment on its header line (`|  # note`), kept with the new value
  const note = wasBlock ? (/^[|>][-+0-9]*([^\n]*)/.exec(text.slice(start, valueEnd))?.[1] ?? '') : '';
  if (s.inFlow || !fitsBlock(value)) return { start, end: valueEnd, replacement: quoted(value) + note + tail };
  const indent = ' '.repeat(s.parentColumn + 2);
  const header = value.endsWith('\n') ? '|' : '|-';
  const lines = value.replace(/\n$/, '').split('\n').map((l) => (l === '' ? '' : indent + l));
  if (wasBlock) return { start, end: valueEnd, replacement: `${header}${note}\n${lines.join('\n')}${tail || '\n'}` };
  // an inline value may have a comment after it on its line: it moves to the block's header line
  const eol = text.indexOf('\n', valueEnd);
  const end = eol < 0 ? text.length : eol;
  return { start, end, replacement: `${header}${text.slice(valueEnd, end)}\n${lines.join('\n')}` };
}

/** A literal block holds the text exactly when it is several lines that YAML's indentation detection reads back as they are. */
function fitsBlock(value: string): boolean {
  return value.includes('\n') && /^\S/.test(value) && !/\n\n$/.test(value) && !/[\r\x00-\x08\x0b-\x1f\x7f-\x9f]/.test(value);
}

/** A YAML double-quoted scalar: JSON's escapes, plus the characters YAML does not print raw. */
function quoted(value: string): string {
  return JSON.stringify(value).replace(/[\x7f-\x9f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
