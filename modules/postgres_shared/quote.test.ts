import { describe, expect, it } from 'vitest';
import { quoteIdent, quoteLiteral } from './quote.js';

describe('quoteIdent', () => {
  it.each([
    ['app', '"app"'],
    ['App', '"App"'],
    ['a"b', '"a""b"'],
    ["it's", '"it\'s"'],
    ['drop table x; --', '"drop table x; --"'],
  ])('%j -> %s', (v, q) => expect(quoteIdent(v)).toBe(q));
  it('refuses NUL and empty', () => {
    expect(() => quoteIdent('a\0b')).toThrow('NUL');
    expect(() => quoteIdent('')).toThrow('empty');
  });
});

describe('quoteLiteral', () => {
  it.each([
    ['abc', "'abc'"],
    ["O'Brien", "'O''Brien'"],
    ['a\\b', "E'a\\\\b'"],
    ["x'\\", "E'x''\\\\'"],
    ['', "''"],
  ])('%j -> %s', (v, q) => expect(quoteLiteral(v)).toBe(q));
  it('refuses NUL', () => expect(() => quoteLiteral('\0')).toThrow('NUL'));
});
