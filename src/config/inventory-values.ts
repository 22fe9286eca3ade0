/**
 * The values of the inventory's vars that are not written out: `!secret` ones (decrypted before
 * loading, see secrets/decrypt.ts) and `{{ env('NAME') }}` ones (read from keel's environment at
 * load). Every decrypted value is sensitive; an env() value is when its variable is listed in
 * sensitive_vars (the value is known before any state renders, so it is redacted like the rest).
 */
import { isScalar } from 'yaml';
import { ConfigError, ConfigErrors, type KeelError, type SourcePos } from '../errors.js';
import { recipientProblem } from '../secrets/age.js';
import type { DecryptedSecrets } from '../secrets/decrypt.js';
import { findSecretNodes, inventoryVarName, varsStart } from '../secrets/secret-nodes.js';
import { makeRenderer } from './render.js';
import { posOf, type PathSeg, type YamlSource } from './source.js';
import { isPlainObject, type Vars } from './vars.js';
import { walkNodes } from './yaml-walk.js';

/** A var whose whole value is one env() call: the one template an inventory value may be. */
const ENV_CALL = /^\s*\{\{-?\s*env\s*\([^{}]*\)\s*-?\}\}\s*$/;

/** Replace `!secret` and env() values in every vars: of `data` (toJS() of `source`); returns the decrypted values. */
export function resolveInventoryValues(source: YamlSource, data: Vars, decrypted: DecryptedSecrets | undefined, errors: KeelError[]): string[] {
  const replace = new Map<string, unknown>();
  const found = findSecretNodes(source, inventoryVarName);
  errors.push(...found.errors);
  const plain: string[] = [];
  for (const s of found.secrets) {
    const text = typeof s.node.value === 'string' ? s.node.value : '';
    const value = decrypted?.get(text);
    if (value !== undefined) (replace.set(text, value), plain.push(value));
  }
  const renderer = makeRenderer({});
  walkNodes(source, (n, path) => {
    const at = varsStart(path);
    if (at === undefined || path.length <= at || !isScalar(n) || typeof n.value !== 'string' || !ENV_CALL.test(n.value)) return;
    const pos = posOf(source, n);
    try {
      replace.set(n.value, renderer.render(n.value, { pos: () => pos }));
    } catch (e) {
      if (e instanceof ConfigErrors) errors.push(...e.errors);
      else if (e instanceof ConfigError) errors.push(e);
      else throw e;
    }
  });
  if (replace.size) for (const vars of varsMappings(data)) replaceStrings(vars, replace);
  return plain;
}

/** `secrets: {recipients: [...]}`: each one an age recipient, checked at its line. */
export function checkRecipients(data: Vars, valueAt: (path: PathSeg[]) => SourcePos): ConfigError[] {
  const recipients = isPlainObject(data.secrets) ? data.secrets.recipients : undefined;
  if (!Array.isArray(recipients)) return [];
  return recipients.flatMap((r, i) => {
    const problem = typeof r === 'string' ? recipientProblem(r) : undefined;
    return problem === undefined
      ? []
      : [new ConfigError(`secrets.recipients[${i}]: not an age recipient (${problem}): expected age1... as printed by keel secret keygen (or age-keygen -y)`, { pos: valueAt(['secrets', 'recipients', i]) })];
  });
}

/** Every `vars:` mapping of the inventory's data: top level, hosts, groups, hosts of groups. */
function varsMappings(data: Vars): Vars[] {
  const out: Vars[] = [];
  const take = (v: unknown) => isPlainObject(v) && isPlainObject(v.vars) && out.push(v.vars);
  take(data);
  const each = (m: unknown, fn: (v: unknown) => void) => isPlainObject(m) && Object.values(m).forEach(fn);
  each(data.hosts, take);
  each(data.groups, (g) => {
    take(g);
    if (isPlainObject(g)) each(g.hosts, take);
  });
  return out;
}

function replaceStrings(node: Vars | unknown[], replace: ReadonlyMap<string, unknown>): void {
  for (const [k, v] of Object.entries(node)) {
    if (typeof v === 'string' && replace.has(v)) (node as Record<string, unknown>)[k] = replace.get(v);
    else if (Array.isArray(v) || isPlainObject(v)) replaceStrings(v, replace);
  }
}
