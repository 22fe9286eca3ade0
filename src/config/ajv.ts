/**
 * keel's config schemas as validators: every error at once, defaults applied. `npm run build`
 * compiles the built-in schemas ahead of time (ajv standalone code, scripts/build-validators.ts
 * writes dist/src/config/validators/HASH.cjs, one per schema); a schema not found there (running
 * from src, a bundle's params) is compiled here on first use. ajv itself loads only then.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Ajv, ValidateFunction } from 'ajv';

export const AJV_OPTIONS = { allErrors: true, strict: false, verbose: true, useDefaults: true } as const;
/** The folder of the generated validators, beside this file in dist/. */
export const PREBUILT_DIR = 'validators';

const require = createRequire(import.meta.url);
let instance: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

/** The name a schema's validator has in the generated file: a hash of its JSON. */
export function schemaKey(schema: object): string {
  return 'v' + createHash('sha1').update(JSON.stringify(schema)).digest('hex').slice(0, 20);
}

/** The validator of a schema: generated at build time when it is a built-in one, else compiled now (once). */
export function compileSchema(schema: object): ValidateFunction {
  const key = schemaKey(schema);
  let v = compiled.get(key);
  if (!v) {
    v = prebuiltValidator(key) ?? runtimeAjv().compile(schema);
    compiled.set(key, v);
  }
  return v;
}

/** The ajv instance for schemas compiled at run time (loaded on first use). */
export function runtimeAjv(): Ajv {
  if (!instance) {
    const { Ajv } = require('ajv') as typeof import('ajv');
    instance = new Ajv(AJV_OPTIONS);
  }
  return instance;
}

function prebuiltValidator(key: string): ValidateFunction | undefined {
  try {
    return require(`./${PREBUILT_DIR}/${key}.cjs`) as ValidateFunction;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw e;
    return undefined;
  }
}
