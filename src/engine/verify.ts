/**
 * Pure judgements of what a converge probed again: a resource's plan from its fresh output, and
 * Terraform's contract check, that a resource applied now plans to nothing (else the module, or
 * for an unsettled guard the state, is at fault).
 */
import { NotIdempotentError, StateError, isKeelError, type KeelError } from '../errors.js';
import type { HostFacts } from '../facts/types.js';
import type { Plan, PlanContext, ProbeOutput, ResourceModule } from '../module.js';
import type { HostJob } from './compile.js';
import { redact } from './host-report.js';
import { asKeelError } from './plan-host.js';

type Resource = HostJob['resources'][number];

/** Its plan from this output, or why there is none. */
export function planFrom(r: Resource, mod: ResourceModule, out: ProbeOutput, facts: HostFacts, ctx: PlanContext): Plan | KeelError {
  try {
    return mod.plan(r.spec, mod.parse(r.spec, out, facts), facts, ctx);
  } catch (e) {
    return asKeelError(e);
  }
}

/** Undefined when the applied resource now plans to nothing; else the error its report carries. */
export function verifyError(r: Resource, mod: ResourceModule, applied: Plan, after: Plan | KeelError): KeelError | undefined {
  if (isKeelError(after)) return after;
  if (after.action === 'none') return undefined;
  if (applied.unsettled) return new StateError(applied.unsettled.message, { resource: r.id, hint: applied.unsettled.hint });
  const fields = redact(mod, after.changes)
    .map((c) => `${c.field}: ${JSON.stringify(c.from)} -> ${JSON.stringify(c.to)}`)
    .join('; ');
  return new NotIdempotentError(
    `not idempotent: module '${mod.kind}' applied ${r.id} but it still plans ${after.action}${fields ? ` (${fields})` : ''}`,
    { resource: r.id, hint: `this is a bug in the '${mod.kind}' module, not in your state file` },
  );
}
