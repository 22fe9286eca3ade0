/**
 * Part of `npm run build` (scripts/build.ts): every built-in schema (each module's resource schema, the inventory,
 * a source's output, bundle.yaml) compiled ahead of time into ajv standalone code, one file per
 * schema named by the hash of its JSON, so that a command validates without loading or running
 * ajv's compiler, and loads only the validators it uses (src/config/ajv.ts; any other schema is
 * still compiled at run time).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { builtinModules } from '../modules/index.js';
import { AJV_OPTIONS, PREBUILT_DIR, schemaKey } from '../src/config/ajv.js';
import { bundleSchema } from '../src/config/bundle-file.js';
import { outputSchema } from '../src/config/inventory-dynamic.js';
import { inventorySchema } from '../src/config/inventory-schema.js';
import { resourceSchema } from '../src/config/resource-schema.js';

/** The schemas known at build time. */
export function builtinSchemas(): object[] {
  return [inventorySchema, outputSchema, bundleSchema, ...[...builtinModules.values()].map((m) => resourceSchema(m))];
}

/** CommonJS source of one schema's validator (module.exports is the function). */
export function standaloneValidator(schema: object): string {
  // a copy: ajv keeps what it is given, and the key must stay the hash of the original
  const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true } });
  return standaloneCode.default(ajv, ajv.compile(structuredClone(schema)));
}

/** Write each built-in schema's validator into DIR/validators (what src/config/ajv.ts looks for beside the bundle). */
export function writeValidators(dist: string): number {
  const dir = join(dist, PREBUILT_DIR);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const schemas = builtinSchemas();
  for (const schema of schemas) writeFileSync(join(dir, `${schemaKey(schema)}.cjs`), standaloneValidator(schema));
  return schemas.length;
}
