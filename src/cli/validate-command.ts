/** keel validate: every error of inventory and states, for every host, without contacting any. */
import { validateInventory } from '../config/index.js';
import { compileJobs } from '../engine/compile.js';
import { ConfigErrors } from '../errors.js';
import { loadCommon, type CommonFlags } from './load.js';

export async function validateCommand(flags: CommonFlags): Promise<void> {
  const { inv, hosts } = loadCommon(flags);
  const errors = validateInventory(inv);
  if (errors.length) throw new ConfigErrors(errors);
  const jobs = compileJobs(inv, hosts);
  const count = jobs.reduce((n, j) => n + j.resources.length, 0);
  process.stdout.write(`ok: ${jobs.length} host(s), ${count} resource(s), no errors\n`);
}
