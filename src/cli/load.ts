/** Shared first steps of every command: inventory, target hosts. */
import { setValidatorCache } from '../config/ajv.js';
import { checkTags, loadInventory, parseVarArgs, selectHosts } from '../config/index.js';
import type { Inventory } from '../config/types.js';
import { compileJobs, type HostJob } from '../engine/compile.js';
import type { LogLevel } from '../log.js';
import { decryptInventorySecrets } from '../secrets/decrypt.js';
import type { ModuleSet } from '../module-set.js';
// the built-in modules: every command that compiles states loads them here
import { builtinModules } from '../../modules/index.js';

export interface CommonFlags {
  inventory: string;
  var: string[];
  logLevel: LogLevel;
  logFile?: string;
  limit?: string;
}

/** `!secret` values are decrypted first (async, the age library), before any host is compiled. `modules`: the built-in ones. */
export async function loadCommon(flags: CommonFlags) {
  const secrets = await decryptInventorySecrets(flags.inventory);
  const inv: Inventory = loadInventory(flags.inventory, { vars: parseVarArgs(flags.var), secrets });
  // bundles' params validators compiled at run time are kept in the project's state directory
  setValidatorCache(inv.stateDir);
  const hosts = selectHosts(inv, flags.limit);
  return { inv, hosts, modules: builtinModules };
}

/** Compile the target hosts; a --tags that no resource of theirs has is an error, not "in sync". */
export function compileTagged(inv: Inventory, hosts: string[], modules: ModuleSet, tags: string[]): HostJob[] {
  const jobs = compileJobs(inv, hosts, modules, tags);
  // a tag only on resources their condition skips here is a known tag: the run reports them skipped
  checkTags(tags, jobs.flatMap((j) => [...j.resources, ...(j.skipped ?? [])]));
  return jobs;
}
