/** The probe phase: one exec per host runs the host facts snippet and every resource's probe. */
import { TransportError } from '../errors.js';
import { HOST_FACTS_SNIPPET, parseHostFacts } from '../facts/gather.js';
import type { HostFacts } from '../facts/types.js';
import type { Probe, ProbeOutput } from '../module.js';
import type { Transport } from '../transport/types.js';
import { buildProbeScript, parseProbeOutput } from './probe-script.js';
import { planProbes } from './shared-probe.js';

export const PROBE_TIMEOUT_MS = 300_000;

/** Run the probes in one exec (shared probes batched per concern): one output per probe, in order. */
export async function runProbes(transport: Transport, probes: Probe[], sudo: boolean): Promise<ProbeOutput[]> {
  const { snippets, assemble } = planProbes(probes);
  const { script, marker } = buildProbeScript(snippets);
  // The script travels on stdin, not in the command line: a host with hundreds of resources
  // would pass the kernel's 128 KiB limit for one argument, and argv shows up in `ps`.
  // Every snippet reads /dev/null, so only `sh -s` reads this stdin.
  const res = await transport.exec('sh -s', { stdin: script, sudo, timeoutMs: PROBE_TIMEOUT_MS });
  try {
    return assemble(parseProbeOutput(res.stdout, marker, snippets.length));
  } catch (e) {
    throw new TransportError(`probe script failed (exit ${res.code}): ${res.stderr.toString().trim().slice(-500) || (e as Error).message}`, {
      host: transport.host,
      cause: e,
    });
  }
}

/** The host facts the modules read and every snippet's output in one round trip. */
export async function probeHost(transport: Transport, snippets: Probe[], sudo: boolean): Promise<{ facts: HostFacts; outputs: ProbeOutput[] }> {
  const [factsOut, ...outputs] = await runProbes(transport, [HOST_FACTS_SNIPPET, ...snippets], sudo);
  return { facts: parseHostFacts(factsOut.text), outputs };
}
