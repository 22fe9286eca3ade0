import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { mergeVars, parseVarArgs } from './vars.js';

describe('parseVarArgs', () => {
  it('parses values as YAML scalars and dotted keys as nesting', () => {
    expect(parseVarArgs(['port=80', 'debug=true', 'name=web', 'a.b=1', 'a.c=x', 'empty=', 'ratio=0.5', 'none=null'])).toEqual({
      port: 80,
      debug: true,
      name: 'web',
      a: { b: 1, c: 'x' },
      empty: '',
      ratio: 0.5,
      none: null,
    });
  });

  it('keeps text that only looks like YAML structure; reads flow collections', () => {
    expect(parseVarArgs(['msg=hello: world', 'list=[1, 2]', 'eq=a=b'])).toEqual({ msg: 'hello: world', list: [1, 2], eq: 'a=b' });
  });

  it('later values win', () => {
    expect(parseVarArgs(['a=1', 'a=2'])).toEqual({ a: 2 });
  });

  it('rejects an argument without =', () => {
    expect(() => parseVarArgs(['port'])).toThrow(ConfigError);
    expect(() => parseVarArgs(['.a=1'])).toThrow("--var expects key=value, got '.a=1'");
  });
});

describe('mergeVars', () => {
  it('merges mappings recursively and replaces other values', () => {
    expect(mergeVars({ a: { x: 1, y: [1] }, b: 1 }, { a: { y: [2] }, b: { c: 1 } })).toEqual({ a: { x: 1, y: [2] }, b: { c: 1 } });
  });
});
