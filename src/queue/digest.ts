/**
 * What a controller and a worker must agree on before a worker runs a host: the host's compiled
 * declarations (each resource's type, name, rendered parameters, relations, and whether --tags
 * selected it), as one SHA-256 with the host's secrets taken out. A worker whose checkout of the
 * states or inventory differs from the controller's computes another digest and refuses the job.
 * Pure.
 */
import type { HostJob } from '../engine/compile.js';
import { canonicalJson, sha256 } from '../plan-file/digest.js';
import { planSecrets } from '../plan-file/pin.js';
import { redactSecrets } from '../redact.js';

export function jobDigest(job: HostJob): string {
  const declared = job.resources.map((r) => ({
    id: r.id,
    kind: r.kind,
    name: r.name,
    spec: r.spec,
    require: r.require,
    before: r.before,
    watch: r.watch,
    notify: r.notify,
    selected: job.selected.has(r.id),
  }));
  const skipped = (job.skipped ?? []).map((r) => r.id);
  return sha256(redactSecrets(canonicalJson({ host: job.host.name, declared, skipped }), planSecrets(job)));
}
