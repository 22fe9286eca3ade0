/**
 * The probe phase with facts in the states. A host whose states do not read `facts` costs one
 * exec: the host facts the modules read (shell builtins: one subshell) and every probe in one batch. One whose states do (its job carries
 * `recompile`) costs two: the facts alone, then, compiled again with them, the probe batch. A
 * state that is wrong only with the host's facts fails that host with its ConfigError, before
 * anything is probed or applied.
 */
import type { Logger } from 'pino';
import { ConfigError, ConfigErrors } from '../errors.js';
import { FACTS_SNIPPET, parseFacts } from '../facts/gather.js';
import { stateFacts } from '../facts/state-facts.js';
import type { Facts, HostFacts } from '../facts/types.js';
import type { ProbeOutput } from '../module.js';
import { moduleOf } from '../module-set.js';
import type { Transport } from '../transport/types.js';
import type { HostJob } from './compile.js';
import { redactSecrets } from './host-report.js';
import { retryableProbe } from './host-session.js';
import { probeHost, runProbes } from './probe-host.js';

export interface ProbedHost {
  /** The job planned and applied: recompiled with the host's facts when its states read them. */
  job: HostJob;
  /** All facts when the states read them; else only what the modules read (HostFacts). */
  facts: HostFacts;
  /** One per selected resource, in graph order. */
  outputs: ProbeOutput[];
}

export async function probePhase(compiled: HostJob, transport: Transport, sudo: boolean, log: Logger): Promise<ProbedHost> {
  const probesOf = (job: HostJob) => selectedInOrder(job).map((r) => moduleOf(job.modules, r.kind).probe(r.spec));
  let job = compiled;
  let probed: { facts: HostFacts; outputs: ProbeOutput[] };
  if (!compiled.recompile) {
    probed = await retryableProbe(probeHost(transport, probesOf(job), sudo));
  } else {
    const [out] = await retryableProbe(runProbes(transport, [FACTS_SNIPPET], sudo));
    const facts = parseFacts(out.text);
    job = recompileWith(compiled, facts);
    probed = { facts, outputs: await retryableProbe(runProbes(transport, probesOf(job), sudo)) };
  }
  log.debug({ facts: redactSecrets(probed.facts, job.host.secrets) }, 'facts');
  return { job, ...probed };
}

/** A state valid with the placeholder (keel validate) but not with these facts: say so. */
function recompileWith(compiled: HostJob, facts: Facts): HostJob {
  try {
    return compiled.recompile!(stateFacts(facts));
  } catch (e) {
    if (!(e instanceof ConfigErrors)) throw e;
    const hint = `with this host's facts (${facts.osId} ${facts.osVersion}, ${facts.arch}); keel validate checks states with placeholder facts only`;
    throw new ConfigErrors(e.errors.map((x) => new ConfigError(x.message, { pos: x.pos, resource: x.resource, hint: x.hint ?? hint, cause: x })));
  }
}

function selectedInOrder(job: HostJob): HostJob['resources'] {
  return job.graph.order.filter((r) => job.selected.has(r.id));
}
