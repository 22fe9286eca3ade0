/**
 * `bundles/NAME/bundle.yaml`, read once per inventory: its description, its params (a JSON
 * Schema per parameter, compiled into one validator that fills defaults) and the state files
 * it applies (`states:`, default every `states/*.yaml` in name order).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { ConfigError, type KeelError } from '../errors.js';
import { compileSchema } from './ajv.js';
import { schemaErrors } from './schema-errors.js';
import { nodeAt, posOf, readYamlFile, type PathSeg, type YamlSource } from './source.js';
import { locateState, stateNotFound } from './state-names.js';
import { isPlainObject } from './vars.js';

export interface Bundle {
  name: string;
  /** The bundle's folder: its resources' sources resolve here, and may not leave it. */
  dir: string;
  file: string;
  description?: string;
  /** Names of its params, for messages. */
  params: string[];
  /** Checks an instance's `with` and fills in the defaults; absent when bundle.yaml has errors. */
  validate?: ValidateFunction;
  /** Its state files, in the order they apply. */
  states: string[];
  /** Errors of bundle.yaml itself. */
  errors: KeelError[];
}

export const bundleSchema = {
  type: 'object',
  properties: {
    description: { type: 'string' },
    params: { type: ['object', 'null'], additionalProperties: { type: 'object' } },
    states: { type: 'array', items: { type: 'string', minLength: 1 } },
  },
  additionalProperties: false,
};

export function parseBundle(name: string, dir: string): Bundle {
  const file = join(dir, 'bundle.yaml');
  const bundle: Bundle = { name, dir, file, params: [], states: [], errors: [] };
  const { source, errors } = readYamlFile(file);
  bundle.errors.push(...errors);
  if (!source || errors.length) return bundle;
  let data: unknown;
  try {
    data = source.doc.toJS() ?? {};
  } catch (e) {
    bundle.errors.push(new ConfigError(`invalid YAML: ${(e as Error).message}`, { pos: posOf(source, null), cause: e }));
    return bundle;
  }
  const checkBundle = compileSchema(bundleSchema);
  if (!checkBundle(data)) {
    const subject = (p: PathSeg[]) => (p[0] === 'params' && p.length > 1 ? `param ${p[1]} of bundle ${name}` : `bundle ${name}`);
    bundle.errors.push(...schemaErrors(checkBundle.errors ?? [], { source, root: source.doc.contents, basePath: [], data, subject }));
    return bundle;
  }
  const doc = data as { description?: string; params?: Record<string, Record<string, unknown>> | null; states?: string[] };
  bundle.description = doc.description;
  bundle.params = Object.keys(doc.params ?? {});
  bundle.validate = paramsValidator(source, doc.params ?? {}, bundle.errors);
  bundle.states = doc.states ? namedStates(source, dir, doc.states, bundle.errors) : allStates(source, dir, bundle.errors);
  return bundle;
}

/** One object schema over every param: a param without a default is required; no other key. */
function paramsValidator(source: YamlSource, params: Record<string, Record<string, unknown>>, errors: KeelError[]): ValidateFunction | undefined {
  const required = Object.entries(params)
    .filter(([, s]) => !('default' in s))
    .map(([k]) => k);
  try {
    return compileSchema({ type: 'object', properties: params, required, additionalProperties: false });
  } catch (e) {
    const message = (e as Error).message;
    // "schema is invalid: data/properties/port/type must be equal to one of the allowed values"
    const param = /properties\/([^/\s]+)/.exec(message)?.[1];
    const loc = nodeAt(source, source.doc.contents, param ? ['params', param] : ['params']);
    const why = message.replace(/^schema is invalid: /, '').replace(/data\/properties\/[^/\s]+\/?/, '');
    const what = param ? `param '${param}'` : 'params';
    errors.push(
      new ConfigError(`${what}: not a valid JSON Schema: ${why || message}`, {
        pos: posOf(source, loc.node),
        hint: 'each param is a JSON Schema object, e.g. {type: integer, default: 8000}',
      }),
    );
    return undefined;
  }
}

function namedStates(source: YamlSource, dir: string, names: string[], errors: KeelError[]): string[] {
  const files: string[] = [];
  names.forEach((name, i) => {
    const loc = locateState(dir, name, true);
    if (loc.file) files.push(loc.file);
    else errors.push(new ConfigError(stateNotFound(name, loc), { pos: posOf(source, nodeAt(source, source.doc.contents, ['states', i]).node) }));
  });
  return files;
}

function allStates(source: YamlSource, dir: string, errors: KeelError[]): string[] {
  let entries: string[] = [];
  try {
    entries = readdirSync(join(dir, 'states'));
  } catch {
    // no states/ folder: said below
  }
  const files = entries.filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(dir, 'states', f));
  if (files.length === 0) {
    const msg = `bundle has no states: expected ${join(dir, 'states')}/*.yaml, or a 'states:' list in ${source.file}`;
    errors.push(new ConfigError(msg, { pos: posOf(source, source.doc.contents) }));
  }
  return files;
}

/** An instance's params checked against the bundle's schema, defaults filled in (a null `with` is no params). */
export function withDefaults(bundle: Bundle, given: unknown): { params?: Record<string, unknown>; errors: readonly ErrorObject[] } {
  const data = structuredClone(isPlainObject(given) ? given : {});
  if (!bundle.validate) return { errors: [] };
  return bundle.validate(data) ? { params: data, errors: [] } : { errors: bundle.validate.errors ?? [] };
}
