/**
 * The dynamic part of an inventory: each source's JSON output (keel's shape or Ansible's) as an
 * inventory layer, checked against the inventory schema. Errors name the script and the path
 * in its output (there is no line to point at).
 */
import { ConfigError, type KeelError } from '../errors.js';
import { compileSchema } from './ajv.js';
import { ansiblePath, ansibleToKeel, isAnsibleOutput, KEEL_TOP_KEYS } from './ansible-inventory.js';
import { inventorySchema, inventorySubject } from './inventory-schema.js';
import type { InventoryLayer } from './inventory-merge.js';
import { runSource, type SourceRun } from './inventory-source.js';
import { schemaErrors } from './schema-errors.js';
import { pathString, type PathSeg } from './source.js';
import { isPlainObject, type Vars } from './vars.js';

/** What a script may print: the parts of inventory.yaml that describe hosts. */
const SCRIPT_KEYS = ['defaults', 'vars', 'states', 'hosts', 'groups'];
/** The schema of a source's output (exported for the validators generated at build time). */
export const outputSchema = {
  ...inventorySchema,
  properties: Object.fromEntries(SCRIPT_KEYS.map((k) => [k, (inventorySchema.properties as Record<string, unknown>)[k]])),
};

/** Run every source once, in order; each good output is a layer, each failure an error. */
export function dynamicLayers(runs: SourceRun[], errors: KeelError[]): InventoryLayer[] {
  const layers: InventoryLayer[] = [];
  for (const src of runs) {
    try {
      layers.push(sourceLayer(src, errors));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      errors.push(e);
    }
  }
  return layers;
}

function sourceLayer(src: SourceRun, errors: KeelError[]): InventoryLayer {
  const json = parseOutput(src, runSource(src), '--list');
  const ansible = isAnsibleOutput(json);
  const where = (p: PathSeg[]) => ({ file: src.shown, line: 0, column: 0, path: pathString(p) });
  let doc = json;
  if (ansible) {
    // an older script gives no _meta: Ansible then asks it for each host's variables
    if (!('_meta' in json)) json._meta = { hostvars: Object.fromEntries(ansibleHosts(json).map((h) => [h, parseOutput(src, runSource(src, ['--host', h]), `--host ${h}`)])) };
    const { doc: converted, problems } = ansibleToKeel(json);
    for (const p of problems) errors.push(new ConfigError(p.message, { pos: where(p.path) }));
    doc = converted;
  } else {
    for (const k of Object.keys(json)) {
      if (KEEL_TOP_KEYS.includes(k) && !SCRIPT_KEYS.includes(k)) {
        errors.push(new ConfigError(`'${k}' belongs in inventory.yaml, not in a script's output (a script gives ${SCRIPT_KEYS.join(', ')})`, { pos: where([k]) }));
        delete json[k];
      }
    }
  }
  const at = (p: PathSeg[]) => where(ansible ? ansiblePath(p) : p);
  const checkOutput = compileSchema(outputSchema);
  if (!checkOutput(doc)) {
    errors.push(...schemaErrors(checkOutput.errors ?? [], { data: doc, basePath: [], position: at, subject: inventorySubject }));
  }
  return { doc, at };
}

/** Every host name an Ansible --list output mentions. */
function ansibleHosts(json: Vars): string[] {
  const out = new Set<string>();
  for (const [g, v] of Object.entries(json)) {
    const hosts = Array.isArray(v) ? v : isPlainObject(v) ? v.hosts : undefined;
    if (g !== '_meta' && Array.isArray(hosts)) for (const h of hosts) if (typeof h === 'string') out.add(h);
  }
  return [...out];
}

function parseOutput(src: SourceRun, stdout: string, args: string): Vars {
  const call = `inventory script ${src.shown} ${args}`;
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch (e) {
    const start = stdout.trim().slice(0, 80);
    const shown = start ? `; it printed: ${JSON.stringify(start)}${stdout.trim().length > 80 ? '...' : ''}` : '; it printed nothing';
    throw new ConfigError(`${call} printed no valid JSON (${(e as Error).message})${shown}`, { pos: src.pos, cause: e });
  }
  if (!isPlainObject(json)) {
    throw new ConfigError(`${call} printed ${Array.isArray(json) ? 'a list' : `a ${json === null ? 'null' : typeof json}`}: expected a JSON object (an inventory)`, { pos: src.pos });
  }
  return json;
}
