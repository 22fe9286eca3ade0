/** The configuration errors `keel validate` would report for one state file, in process. */
import { builtinModules } from '../../modules/index.js';
import { loadInventory, selectHosts, validateInventory } from '../../src/config/index.js';
import { compileJobs } from '../../src/engine/compile.js';
import { flattenErrors } from '../../src/config/format.js';
import { ConfigErrors, isKeelError, type KeelError } from '../../src/errors.js';

/** validate's two passes: states (schema, render) first, then prepare and the graph. */
export function configErrors(inventory: string): KeelError[] {
  const inv = loadInventory(inventory);
  const errors = validateInventory(inv, builtinModules);
  if (errors.length) return errors;
  try {
    compileJobs(inv, selectHosts(inv), builtinModules);
  } catch (e) {
    if (!(e instanceof ConfigErrors)) throw e;
    return e.errors;
  }
  return [];
}

/** Load errors as values: a KeelError thrown while loading is returned, anything else rethrown. */
export function loadErrors(inventory: string): KeelError[] {
  try {
    return configErrors(inventory);
  } catch (e) {
    if (isKeelError(e)) return flattenErrors([e]);
    throw e;
  }
}
