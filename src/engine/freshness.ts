/**
 * When a converge must probe a resource again before applying it, and which later resources
 * the same round trip can probe too. Pure.
 *
 * Two counters say what ran on the host so far: `any` (every apply and refresh) and `wide`
 * (applies of resources that may touch the host at large: a command, a package, a service, a
 * user; and every refresh). A resource whose module claims paths (file, directory, template,
 * line, systemd_unit) changes nothing but those paths, and no other resource of the host writes
 * them except through a graph edge (one owner per path), so such a resource goes stale only when
 * something wide ran since its probe. Any other resource (a command's guard may read anything)
 * goes stale when anything ran since.
 */
import type { Plan } from '../module.js';
import { isKeelError, type KeelError } from '../errors.js';
import type { HostJob } from './compile.js';
import type { PlanEntry } from './plan-host.js';

export interface Ran {
  any: number;
  wide: number;
}

/** What the engine knows of one resource as the converge goes. */
export interface Fresh {
  /** Its latest plan (batch probe, or probed again), or why it has none. */
  plan: Plan | KeelError | undefined;
  /** The counters when it was last probed. */
  at: Ran;
  /** Probed again after the batch probe, once its dependencies were done. */
  again: boolean;
}

/** Its module changes nothing on the host but the paths it claims. */
export function confined(e: PlanEntry): boolean {
  return e.mod.paths !== undefined;
}

/** A plan (not an error) that changes something. */
export function changes(plan: Plan | KeelError | undefined): plan is Plan {
  return plan !== undefined && !isKeelError(plan) && plan.action !== 'none';
}

/** It must be probed again before its apply: its dependency was to change, or what ran since may have changed it. */
export function needsProbe(e: PlanEntry, f: Fresh, ran: Ran): boolean {
  if (e.uncertain && !f.again) return true;
  if (!changes(f.plan)) return false;
  return confined(e) ? ran.wide > f.at.wide : ran.any > f.at.any;
}

/**
 * The ids one round trip probes before `first` applies: `first`, and, when `first` itself is
 * confined and runs no refresh, each later resource that needs it too and that nothing before
 * its turn can change: a confined resource whose dependencies are all done, up to the first
 * resource that may touch the host at large or run a refresh in between (one applied ahead with
 * a batch too: its refresh is still to come). A member probed here whose plan is then 'none' or
 * an error is not probed again at its turn, so nothing wide may run before it.
 */
export function probeWindow(
  job: HostJob,
  first: PlanEntry,
  rest: readonly PlanEntry[],
  done: (id: string) => boolean,
  fresh: (id: string) => Fresh,
  ran: Ran,
  mayChange: (id: string) => boolean,
): string[] {
  const ids = [first.resource.id];
  // a command, package, service or user (or a refresh) runs right after this probe
  if (!confined(first) || first.refresh) return ids;
  for (const e of rest) {
    const id = e.resource.id;
    if (e.refresh) break;
    if (done(id)) continue;
    if (!confined(e)) {
      if (mayChange(id)) break;
      continue;
    }
    if (!needsProbe(e, fresh(id), ran)) continue;
    if ((job.graph.deps.get(id) ?? []).every(done)) ids.push(id);
  }
  return ids;
}
