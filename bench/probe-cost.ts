/**
 * What keel's plan probe costs a host in processes (docs/benchmarks.md, "Probe cost on the host").
 *
 *   npx tsx bench/probe-cost.ts -i inventory.yaml -l web1              # print the host's probe script
 *   npx tsx bench/probe-cost.ts -i inventory.yaml -l web1 --count      # run it there 5 times over ssh
 *
 * --count runs the script as `sh -s` on the host (ssh as the inventory's user, identity and
 * known_hosts) between two reads of /proc/sys/kernel/ns_last_pid: the difference, less the two
 * processes of the measurement itself (sh -s, the second cat), is how many processes the probe
 * created; the least of 5 runs leaves out what else the host started meanwhile.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadCommon } from '../src/cli/load.js';
import { compileJobs } from '../src/engine/compile.js';
import { buildProbeScript } from '../src/engine/probe-script.js';
import { planProbes } from '../src/engine/shared-probe.js';
import { HOST_FACTS_SNIPPET } from '../src/facts/gather.js';
import { moduleOf } from '../src/module-set.js';

const { values } = parseArgs({
  options: { inventory: { type: 'string', short: 'i', default: 'inventory.yaml' }, limit: { type: 'string', short: 'l' }, count: { type: 'boolean' } },
});
const { inv, hosts, modules } = await loadCommon({ inventory: values.inventory!, var: [], logLevel: 'error', limit: values.limit });
const [job] = compileJobs(inv, hosts.slice(0, 1), modules);
if (job.recompile) process.stderr.write('this host\'s states read facts: the facts go in a round trip of their own before this script\n');
const resources = job.graph.order.filter((r) => job.selected.has(r.id));
const { snippets } = planProbes([HOST_FACTS_SNIPPET, ...resources.map((r) => moduleOf(modules, r.kind).probe(r.spec))]);
const { script } = buildProbeScript(snippets);
process.stderr.write(`${job.host.name}: ${resources.length} resources, ${snippets.length} snippets, ${script.length} bytes\n`);
if (!values.count) {
  process.stdout.write(script);
} else {
  const h = job.host.connection;
  const ssh = ['-F', '/dev/null', '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-o', 'StrictHostKeyChecking=yes'];
  if (h.identity) ssh.push('-i', resolve(h.identity));
  if (h.knownHosts) ssh.push('-o', `UserKnownHostsFile=${resolve(h.knownHosts)}`);
  const remote = 'a=$(cat /proc/sys/kernel/ns_last_pid); sh -s >/dev/null 2>&1; b=$(cat /proc/sys/kernel/ns_last_pid); echo $((b - a - 2))';
  const runs = Array.from({ length: 5 }, () =>
    Number(execFileSync('ssh', [...ssh, '-p', String(h.port), `${h.user}@${h.address}`, remote], { input: script }).toString().trim()),
  );
  console.log(`${job.host.name}: ${Math.min(...runs)} processes per plan probe (runs: ${runs.join(' ')})`);
}
