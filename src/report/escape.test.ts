import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeTerminal, escapeTerminalLine } from './escape.js';

// what a terminal acts on: C0 (but \t and \n), DEL, C1, bidi and other invisible reordering marks
const ACTIVE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]/;

describe('escapeTerminal', () => {
  it('shows ESC, CR, BEL, C1 controls and bidi overrides as visible escapes', () => {
    expect(escapeTerminal('a\u001b[2Jb\rc\u0007d\u009be\u202ef\u2066g')).toBe('a\\e[2Jb\\rc\\x07d\\x9be\\u202ef\\u2066g');
    expect(escapeTerminal('\u0000\u007f\u0085\ufeff')).toBe('\\x00\\x7f\\x85\\ufeff');
  });

  it('keeps newlines and tabs in text, escapes them in a single line', () => {
    expect(escapeTerminal('a\tb\nc')).toBe('a\tb\nc');
    expect(escapeTerminalLine('a\tb\nc\r')).toBe('a\tb\\nc\\r');
  });

  it('leaves printable text, including non-ASCII letters and emoji, as it is', () => {
    expect(escapeTerminal('café ünïcødé 日本 🚀 $(x) `y` "q" \\n')).toBe('café ünïcødé 日本 🚀 $(x) `y` "q" \\n');
  });

  it('never lets a control character through, whatever the input (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        expect(escapeTerminal(s)).not.toMatch(ACTIVE);
        expect(escapeTerminalLine(s)).not.toMatch(ACTIVE);
        expect(escapeTerminalLine(s)).not.toContain('\n');
      }),
      { numRuns: 2000 },
    );
  });
});
