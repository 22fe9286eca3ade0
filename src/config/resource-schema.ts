/** The JSON Schema a resource is validated against: its module's params + name + common keys. */
import type { ValidateFunction } from 'ajv';
import { KeelError } from '../errors.js';
import type { ResourceModule } from '../module.js';
import { compileSchema } from './ajv.js';

const stringOrList = { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] };

const commonProperties = {
  id: { type: 'string' },
  require: stringOrList,
  before: stringOrList,
  watch: stringOrList,
  notify: stringOrList,
  tags: stringOrList,
  // checked, and taken out of the parameters, by control-keys.ts and expand.ts: here so a misspelling finds them
  when: {},
  loop: {},
  loop_var: {},
};

const validators = new WeakMap<ResourceModule, ValidateFunction>();

export function resourceSchema(m: ResourceModule): Record<string, unknown> {
  return {
    ...m.schema,
    type: 'object',
    properties: { name: { type: 'string' }, ...m.schema.properties, ...commonProperties },
    required: [...new Set(['name', ...(m.schema.required ?? [])])],
    additionalProperties: false,
  };
}

/** Compiled once per module. A schema ajv rejects is the module's bug, not the user's. */
export function resourceValidator(m: ResourceModule): ValidateFunction {
  let v = validators.get(m);
  if (!v) {
    try {
      v = compileSchema(resourceSchema(m));
    } catch (e) {
      throw new KeelError('E_MODULE', `module ${m.kind} has an invalid schema: ${(e as Error).message}`, { cause: e });
    }
    validators.set(m, v);
  }
  return v;
}
