import { describe, expect, it } from 'vitest';
import { editLines, splitLines, type LineEdit } from './edit.js';

const present = (text: string, more: Partial<LineEdit> = {}): LineEdit => ({ state: 'present', text, ...more });

describe('editLines (present)', () => {
  it('replaces the last matching line only', () => {
    const before = '#Port 22\nPort 2222\nX\nPort 2200\n';
    expect(editLines(before, present('Port 22', { match: /^#?Port / }))).toBe('#Port 22\nPort 2222\nX\nPort 22\n');
  });

  it('appends when nothing matches and no equal line exists', () => {
    expect(editLines('a\nb\n', present('c', { match: /^c=/ }))).toBe('a\nb\nc\n');
    expect(editLines('', present('c'))).toBe('c\n');
  });

  it('is idempotent when text itself matches match', () => {
    const edit = present('PermitRootLogin no', { match: /^#?PermitRootLogin/ });
    const once = editLines('#PermitRootLogin yes\nUsePAM yes\n', edit);
    expect(once).toBe('PermitRootLogin no\nUsePAM yes\n');
    expect(editLines(once, edit)).toBe(once);
  });

  it('keeps an equal line when match finds nothing (text not matching match)', () => {
    const edit = present('PermitRootLogin no', { match: /^#PermitRootLogin/ });
    const once = editLines('#PermitRootLogin yes\n', edit);
    expect(once).toBe('PermitRootLogin no\n');
    expect(editLines(once, edit)).toBe(once);
  });

  it('does nothing when an equal line exists and there is no match', () => {
    const s = 'a\nkeep me\nb\n';
    expect(editLines(s, present('keep me'))).toBe(s);
  });

  it('inserts after the last line matching insert_after', () => {
    const s = '127.0.0.1 localhost\n::1 localhost\n127.0.0.1 other\n# end\n';
    expect(editLines(s, present('10.0.0.5 db1', { insertAfter: /^127\.0\.0\.1/ }))).toBe(
      '127.0.0.1 localhost\n::1 localhost\n127.0.0.1 other\n10.0.0.5 db1\n# end\n',
    );
  });

  it('inserts before the last line matching insert_before', () => {
    const s = '[a]\nx=1\n[b]\ny=2\n';
    expect(editLines(s, present('z=3', { insertBefore: /^\[/ }))).toBe('[a]\nx=1\nz=3\n[b]\ny=2\n');
    expect(editLines('[only]\n', present('top', { insertBefore: /^\[/ }))).toBe('top\n[only]\n');
  });

  it('appends when insert_after/insert_before match nothing', () => {
    expect(editLines('a\n', present('b', { insertAfter: /^zzz/ }))).toBe('a\nb\n');
    expect(editLines('a\n', present('b', { insertBefore: /^zzz/ }))).toBe('a\nb\n');
  });

  it('prefers match over insert_after', () => {
    expect(editLines('k=1\nanchor\n', present('k=2', { match: /^k=/, insertAfter: /^anchor/ }))).toBe('k=2\nanchor\n');
  });

  it('inserting after the last line of a file without a final newline adds one', () => {
    expect(editLines('a\nanchor', present('b', { insertAfter: /^anchor$/ }))).toBe('a\nanchor\nb\n');
  });

  it('keeps CRLF files CRLF', () => {
    const s = 'a=1\r\nb=2\r\n';
    expect(editLines(s, present('b=3', { match: /^b=/ }))).toBe('a=1\r\nb=3\r\n');
    expect(editLines(s, present('c=1'))).toBe('a=1\r\nb=2\r\nc=1\r\n');
    // $ matches before the \r: the terminator is not part of the line.
    expect(editLines(s, present('b=2', { match: /^b=2$/ }))).toBe(s);
  });

  it('keeps a missing final newline on replace, adds one on append', () => {
    expect(editLines('a\nk=1', present('k=2', { match: /^k=/ }))).toBe('a\nk=2');
    expect(editLines('a\nk=2', present('k=2', { match: /^k=/ }))).toBe('a\nk=2');
    expect(editLines('a\nb', present('c'))).toBe('a\nb\nc\n');
    expect(editLines('a\r\nb', present('c'))).toBe('a\r\nb\r\nc\r\n');
  });

  it('does not carry lastIndex between lines of a global pattern', () => {
    expect(editLines('x=1\nx=2\n', present('x=3', { match: /^x=/g }))).toBe('x=1\nx=3\n');
  });
});

describe('editLines (absent)', () => {
  it('removes every line matching match', () => {
    expect(editLines('DEBUG=1\na\nDEBUG=2\n', { state: 'absent', match: /^DEBUG=/ })).toBe('a\n');
  });

  it('removes every line equal to text when match is unset', () => {
    expect(editLines('x\nfoo\nfoo bar\nfoo\n', { state: 'absent', text: 'foo' })).toBe('x\nfoo bar\n');
  });

  it('returns the same text when nothing goes', () => {
    const s = 'a\r\nb';
    expect(editLines(s, { state: 'absent', match: /^c/ })).toBe(s);
  });

  it('removes a last line without newline and CRLF lines', () => {
    expect(editLines('a\nb', { state: 'absent', text: 'b' })).toBe('a\n');
    expect(editLines('a\r\nb\r\nc\r\n', { state: 'absent', text: 'b' })).toBe('a\r\nc\r\n');
  });
});

describe('splitLines', () => {
  it('keeps each terminator', () => {
    expect(splitLines('a\r\nb\nc')).toEqual([
      { text: 'a', eol: '\r\n' },
      { text: 'b', eol: '\n' },
      { text: 'c', eol: '' },
    ]);
    expect(splitLines('')).toEqual([]);
    expect(splitLines('\n')).toEqual([{ text: '', eol: '\n' }]);
  });
});
