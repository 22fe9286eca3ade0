import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { canonicalJson, keyedDigest, secretKey } from './digest.js';
import { convergeVars, savedVars, type SavedPlan } from './saved-plan.js';

describe('canonicalJson', () => {
  it('sorts keys at every level, drops undefined, tags bytes', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 0, y: undefined }], c: Buffer.from('hi') } })).toBe('{"a":{"c":{"$bytes":"aGk="},"d":[1,{"z":0}]},"b":1}');
    expect(canonicalJson({ x: 1, y: 2 })).toBe(canonicalJson({ y: 2, x: 1 }));
  });
});

describe('secretKey', () => {
  const salt = Buffer.alloc(16, 7).toString('base64');
  it('depends on the set of secrets and the salt, not their order', () => {
    const k = secretKey(['a', 'b'], salt);
    expect(secretKey(['b', 'a', 'a'], salt).equals(k)).toBe(true);
    expect(secretKey(['a', 'c'], salt).equals(k)).toBe(false);
    expect(secretKey(['a', 'b'], Buffer.alloc(16, 8).toString('base64')).equals(k)).toBe(false);
    expect(keyedDigest(k, 'x')).not.toBe(keyedDigest(secretKey(['a', 'c'], salt), 'x'));
  });
});

describe('saved --var values', () => {
  it('a value holding a secret is saved by name only', () => {
    expect(savedVars(['root=/srv', 'pw=hunter2-long', 'url=postgres://u:hunter2-long@db/x', 'empty='], ['hunter2-long'])).toEqual([
      { name: 'root', value: '/srv' },
      { name: 'pw' },
      { name: 'url' },
      { name: 'empty', value: '' },
    ]);
  });

  const plan = { vars: [{ name: 'root', value: '/srv' }, { name: 'pw' }] } as unknown as SavedPlan;
  it('converge takes the saved values and the secret ones given again', () => {
    expect(convergeVars(plan, ['pw=s'], 'p.keel')).toEqual(['root=/srv', 'pw=s']);
    expect(convergeVars(plan, ['root=/srv', 'pw=s'], 'p.keel')).toEqual(['root=/srv', 'pw=s']);
  });
  it('refuses a missing secret, another value, a new name', () => {
    expect(() => convergeVars(plan, [], 'p.keel')).toThrow(/--var pw carried a secret, so p.keel does not hold its value/);
    expect(() => convergeVars(plan, ['pw=s', 'root=/other'], 'p.keel')).toThrow(UsageError);
    expect(() => convergeVars(plan, ['pw=s', 'extra=1'], 'p.keel')).toThrow(/--var extra: p.keel was planned without it/);
  });
});

describe('KEEL_VERSION', () => {
  it("is package.json's version (a plan records it)", async () => {
    const { KEEL_VERSION } = await import('../version.js');
    const { readFileSync } = await import('node:fs');
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(KEEL_VERSION).toBe(pkg.version);
  });
});
