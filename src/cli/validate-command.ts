/** keel validate: every error of inventory and states, for every host, without contacting any. */
import { dedupeErrors, validateInventory } from '../config/index.js';
import { sortErrors } from '../config/format.js';
import { compileJobs, type HostJob } from '../engine/compile.js';
import { ConfigErrors } from '../errors.js';
import { loadCommon, type CommonFlags } from './load.js';

export async function validateCommand(flags: CommonFlags): Promise<void> {
  const { inv, hosts, modules } = await loadCommon(flags);
  const errors = validateInventory(inv, modules);
  // Graph errors (cycles) and prepare errors come from compiling: report them with the rest.
  let jobs: HostJob[] = [];
  try {
    jobs = compileJobs(inv, hosts, modules);
  } catch (e) {
    if (!(e instanceof ConfigErrors)) throw e;
    errors.push(...e.errors);
  }
  if (errors.length) throw new ConfigErrors(sortErrors(dedupeErrors(errors)));
  const count = jobs.reduce((n, j) => n + j.resources.length, 0);
  process.stdout.write(`ok: ${jobs.length} host(s), ${count} resource(s), no errors\n`);
}
