import { chmodSync, mkdirSync, mkdtempSync, readdirSync, renameSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinSchemas, standaloneValidator } from '../../scripts/build-validators.js';
import { runtimeAjv, schemaKey } from './ajv.js';
import { readCachedValidator, writeCachedValidator } from './validator-cache.js';

const require = createRequire(import.meta.url);
const tmp = () => mkdtempSync(join(tmpdir(), 'keel-ajv-'));

// documents that break each schema in different ways (missing, unknown, wrong types, nested)
const SAMPLES: unknown[] = [{}, { name: 1, no_such_key: true }, { name: 'x', mode: 7, tags: [1], hosts: 'h' }, { hosts: { a: { port: 0, vars: 3 } } }, []];

describe('validators generated at build time (ajv standalone)', () => {
  it('reject and accept exactly what ajv compiled at run time does, with the same errors and defaults', () => {
    const dir = tmp();
    for (const schema of builtinSchemas()) {
      const name = schemaKey(schema);
      writeCachedValidator(dir, name, standaloneValidator(schema));
      const built = readCachedValidator(dir, name, require)!;
      const live = runtimeAjv().compile(structuredClone(schema));
      for (const sample of SAMPLES) {
        const [a, b] = [structuredClone(sample), structuredClone(sample)];
        expect(built(a)).toBe(live(b));
        expect(built.errors ?? null).toEqual(live.errors ?? null);
        expect(a).toEqual(b); // useDefaults filled in the same
      }
    }
  });

  it('the cache keeps a validator for the next run in the state directory, and refuses what others could have written', () => {
    const state = join(tmp(), '.keel');
    mkdirSync(state, { mode: 0o700 });
    const dir = join(state, 'cache', 'validators');
    const schema = { type: 'object', properties: { port: { type: 'integer', default: 8000 } }, additionalProperties: false };
    writeCachedValidator(state, 'p', standaloneValidator(schema));
    expect(readdirSync(dir)).toEqual(['p.cjs']);
    const v = readCachedValidator(state, 'p', require)!;
    const data: Record<string, unknown> = {};
    expect(v(data)).toBe(true);
    expect(data).toEqual({ port: 8000 });
    expect(v({ port: 'x' })).toBe(false);
    expect(readCachedValidator(state, 'absent', require)).toBeUndefined();
    // a file that is a symlink (to code elsewhere) is not followed
    symlinkSync(join(dir, 'p.cjs'), join(dir, 'q.cjs'));
    expect(readCachedValidator(state, 'q', require)).toBeUndefined();
    // a folder others may write, anywhere from the state directory down, and the code is not run
    for (const d of [dir, join(state, 'cache'), state]) {
      chmodSync(d, 0o777);
      expect(readCachedValidator(state, 'p', require)).toBeUndefined();
      chmodSync(d, 0o700);
    }
    expect(readCachedValidator(state, 'p', require)).toBeDefined();
    // a cache folder that is a symlink to another folder is refused too
    const elsewhere = join(tmp(), 'cache');
    renameSync(join(state, 'cache'), elsewhere);
    symlinkSync(elsewhere, join(state, 'cache'));
    expect(readCachedValidator(state, 'p', require)).toBeUndefined();
  });
});
