/**
 * Host bytes (file contents, stderr, names) must not drive the operator's terminal: an ESC
 * sequence in a diff could clear the screen, retitle the window or hide lines, a CR could
 * overwrite what was printed, a bidi override could make a line read differently than it is.
 * Text output shows them escaped; JSON output needs none of this (JSON escapes them itself).
 */

// C0 controls but tab and newline, DEL, C1 controls, and the invisible format characters that
// reorder or hide text (bidi embeddings/overrides/isolates, marks, line/paragraph separators)
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;
const UNSAFE_LINE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' };

function escapeChar(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Text safe for a terminal; newlines and tabs kept (multi-line diffs and errors). */
export function escapeTerminal(s: string): string {
  return s.replace(UNSAFE, escapeChar);
}

/** One line safe for a terminal: newlines are escaped too (ids, names, values). */
export function escapeTerminalLine(s: string): string {
  return s.replace(UNSAFE_LINE, escapeChar);
}
