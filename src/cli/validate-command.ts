/** keel validate: every error of inventory and states, for every host, without contacting any. */
import { dedupeErrors } from '../config/index.js';
import { sortErrors } from '../config/format.js';
import { compileJobs, type HostJob } from '../engine/compile.js';
import { ConfigErrors } from '../errors.js';
import { loadCommon, type CommonFlags } from './load.js';

export async function validateCommand(flags: CommonFlags & { json?: boolean }): Promise<void> {
  const { inv, hosts, modules } = await loadCommon(flags);
  // compiling every host once reports all its errors: states and schemas, then (for a host whose
  // states compile) what its modules' prepare and its graph (cycles, shared paths) find
  let jobs: HostJob[] = [];
  try {
    jobs = compileJobs(inv, hosts, modules);
  } catch (e) {
    if (!(e instanceof ConfigErrors)) throw e;
    throw new ConfigErrors(sortErrors(dedupeErrors(e.errors)));
  }
  const count = jobs.reduce((n, j) => n + j.resources.length, 0);
  // with --json, errors go to stdout as {"errors": [...]} (handle-error.ts); no errors is the same document
  if (flags.json) process.stdout.write(`${JSON.stringify({ errors: [], hosts: jobs.length, resources: count }, null, 2)}\n`);
  else process.stdout.write(`ok: ${jobs.length} host(s), ${count} resource(s), no errors\n`);
}
