/**
 * keel's config schemas as validators: every error at once, defaults applied. `npm run build`
 * compiles the built-in schemas ahead of time (ajv standalone code, scripts/build-validators.ts
 * writes dist/validators/HASH.cjs beside the bundle, one per schema); any other schema (a bundle's
 * params, or every schema when running from src) is compiled here on first use and, once the CLI
 * has named the project's state directory (setValidatorCache), kept there as standalone code for
 * the next run (validator-cache.ts). ajv loads only to compile.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Ajv, ValidateFunction } from 'ajv';
import { readCachedValidator, writeCachedValidator } from './validator-cache.js';

export const AJV_OPTIONS = { allErrors: true, strict: false, verbose: true, useDefaults: true } as const;
/** The folder of the generated validators, beside the bundle's chunks in dist/. */
export const PREBUILT_DIR = 'validators';

const require = createRequire(import.meta.url);
let instance: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();
/** The project's state directory, where run-time validators are kept; none: compiled every run. */
let cacheStateDir: string | undefined;

/** Keep run-time compiled validators in this project's state directory (the CLI sets it from the inventory). */
export function setValidatorCache(stateDir: string | undefined): void {
  cacheStateDir = stateDir;
}

/** The name of a schema's generated validator: a hash of its JSON and of the options it is compiled with. */
export function schemaKey(schema: object): string {
  return 'v' + createHash('sha1').update(JSON.stringify(AJV_OPTIONS)).update(JSON.stringify(schema)).digest('hex').slice(0, 20);
}

/** The validator of a schema: generated at build time when it is a built-in one, else compiled now (once). */
export function compileSchema(schema: object): ValidateFunction {
  const key = schemaKey(schema);
  let v = compiled.get(key);
  if (!v) {
    v = prebuiltValidator(key) ?? cachedOrCompiled(schema, key);
    compiled.set(key, v);
  }
  return v;
}

/** The ajv instance for schemas compiled at run time (loaded on first use; keeps the code it generates). */
export function runtimeAjv(): Ajv {
  if (!instance) {
    const { Ajv } = require('ajv') as typeof import('ajv');
    instance = new Ajv({ ...AJV_OPTIONS, code: { source: true } });
  }
  return instance;
}

/** From the user's cache, else compiled (an invalid schema throws ajv's error) and cached. */
function cachedOrCompiled(schema: object, key: string): ValidateFunction {
  const dir = cacheStateDir;
  if (!dir) return runtimeAjv().compile(schema);
  // the generated code depends on ajv's version too (its runtime helpers)
  const name = `${key}-ajv${(require('ajv/package.json') as { version: string }).version}`;
  const cached = readCachedValidator(dir, name, require);
  if (cached) return cached;
  const v = runtimeAjv().compile(schema);
  const standalone = require('ajv/dist/standalone/index.js') as typeof import('ajv/dist/standalone/index.js');
  writeCachedValidator(dir, name, standalone.default(runtimeAjv(), v));
  return v;
}

function prebuiltValidator(key: string): ValidateFunction | undefined {
  try {
    return require(`./${PREBUILT_DIR}/${key}.cjs`) as ValidateFunction;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw e;
    return undefined;
  }
}
