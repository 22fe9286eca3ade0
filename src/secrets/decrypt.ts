/**
 * The async step between reading the inventory and loading it: every `!secret` of its vars is
 * decrypted with the controller's identity, before any host is compiled. A value that does not
 * decrypt is an error at its line; nothing is contacted.
 */
import { dirname } from 'node:path';
import { ConfigErrors } from '../errors.js';
import { sortErrors } from '../config/format.js';
import { readYamlFile } from '../config/source.js';
import { localPath } from '../config/inventory-connection.js';
import { isInventoryScript } from '../config/inventory-source.js';
import { isPlainObject } from '../config/vars.js';
import { identityLocation, type IdentityLocation } from './identity-file.js';
import { findSecretNodes, inventoryVarName } from './secret-nodes.js';

/** Armored ciphertext -> its plaintext. */
export type DecryptedSecrets = ReadonlyMap<string, string>;

export async function decryptInventorySecrets(file: string, env: NodeJS.ProcessEnv = process.env): Promise<DecryptedSecrets> {
  // an inventory script prints JSON: no !secret in it
  if (isInventoryScript(file)) return new Map();
  const { source, errors } = readYamlFile(file);
  // an unreadable or malformed file is reported by loadInventory, with the rest of its errors
  if (!source || errors.length) return new Map();
  const { secrets, errors: misplaced } = findSecretNodes(source, inventoryVarName);
  if (secrets.length === 0) return new Map();
  // the age library loads only for an inventory that has secrets
  const { decryptAll } = await import('./decrypt-nodes.js');
  let plain: string[];
  try {
    plain = await decryptAll(secrets, inventoryIdentity(file, source.doc.toJS(), env));
  } catch (e) {
    // a `!secret` on a mapping or outside vars is reported with them, not after they are fixed
    throw e instanceof ConfigErrors ? new ConfigErrors(sortErrors([...misplaced, ...e.errors])) : e;
  }
  return new Map(secrets.map((s, i) => [String(s.node.value ?? ''), plain[i]]));
}

/** The identity for this inventory's secrets: KEEL_AGE_KEY_FILE, its `secrets.identity`, or the default. */
export function inventoryIdentity(file: string, data: unknown, env: NodeJS.ProcessEnv): IdentityLocation {
  const settings = isPlainObject(data) && isPlainObject(data.secrets) ? data.secrets : {};
  const path = localPath(settings.identity, dirname(file));
  return identityLocation(env, path ? { path, file } : undefined);
}
