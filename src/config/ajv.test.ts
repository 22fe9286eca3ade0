import { chmodSync, mkdtempSync, readdirSync } from 'node:fs';
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

  it('the cache keeps a validator for the next run, and refuses a directory others may write', () => {
    const dir = join(tmp(), 'validators');
    const schema = { type: 'object', properties: { port: { type: 'integer', default: 8000 } }, additionalProperties: false };
    writeCachedValidator(dir, 'p', standaloneValidator(schema));
    expect(readdirSync(dir)).toEqual(['p.cjs']);
    const v = readCachedValidator(dir, 'p', require)!;
    const data: Record<string, unknown> = {};
    expect(v(data)).toBe(true);
    expect(data).toEqual({ port: 8000 });
    expect(v({ port: 'x' })).toBe(false);
    expect(readCachedValidator(dir, 'absent', require)).toBeUndefined();
    chmodSync(dir, 0o777);
    expect(readCachedValidator(dir, 'p', require)).toBeUndefined();
  });
});
