/**
 * A host's plan as a value: every selected resource (graph order) planned purely from the batch
 * probe's outputs. No host is touched here: plan mode reports it (plan-report.ts), converge
 * applies it (apply-host.ts). Unit-tested from fixtures (src/engine/plan-host.test.ts).
 */
import { KeelError, isKeelError } from '../errors.js';
import type { HostFacts } from '../facts/types.js';
import type { Plan, PlanContext, ProbeOutput, ResourceModule } from '../module.js';
import { moduleOf } from '../module-set.js';
import type { RefreshReport } from '../report/types.js';
import type { HostJob } from './compile.js';
import { refreshFor, triggersOf } from './refresh.js';
import { idMeant } from '../config/resource-refs.js';

type Resource = HostJob['resources'][number];

export interface PlanEntry {
  resource: Resource;
  mod: ResourceModule;
  /** Its plan from the batch probe; absent when planning failed (`error`). */
  plan?: Plan;
  /** Why it could not be planned (parse or plan threw), with the module's error as `cause` when it was not a KeelError. */
  error?: KeelError;
  /** A dependency is planned to change (or is uncertain itself): converge probes it again before its apply. */
  uncertain: boolean;
  /** The refresh its triggers' planned changes will run. */
  refresh?: RefreshReport;
}

export interface HostPlan {
  /** The job planned (compiled again with the host's facts when its states read them). */
  job: HostJob;
  facts: HostFacts;
  /** One entry per selected resource, in graph order. */
  entries: PlanEntry[];
  byId: ReadonlyMap<string, PlanEntry>;
}

/** `outputs[i]`: the probe output of the i-th selected resource in graph order (as probePhase returns them). */
export function planHost(job: HostJob, facts: HostFacts, outputs: readonly ProbeOutput[]): HostPlan {
  const order = job.graph.order.filter((r) => job.selected.has(r.id));
  if (outputs.length !== order.length) throw new KeelError('E_INTERNAL', `${outputs.length} probe outputs for ${order.length} resources`);
  const byId = new Map<string, PlanEntry>();
  const ids = new Set(job.resources.map((r) => r.id));
  const ctx: PlanContext = { changed: (id) => (isPlanned(byId, id) ? 'maybe' : false) };
  const entries = order.map((r, i) => {
    const mod = moduleOf(job.modules, r.kind);
    const entry: PlanEntry = { resource: r, mod, uncertain: (job.graph.deps.get(r.id) ?? []).some((d) => isPlanned(byId, d)) };
    try {
      entry.plan = mod.plan(r.spec, mod.parse(r.spec, outputs[i], facts), facts, contextFor(r, ctx, ids));
      if (entry.plan.settled) entry.uncertain = false;
    } catch (e) {
      entry.error = asKeelError(e);
    }
    entry.refresh = refreshFor(mod, r, entry.plan, triggersOf(job.graph, r.id, (id) => isPlanned(byId, id)));
    byId.set(r.id, entry);
    return entry;
  });
  return { job, facts, entries, byId };
}

/**
 * The context a module plans `r` in: an id it asks about (a service's own unit file) means, as
 * every reference does, its bundle instance's own resource first (`django_app[shop]/systemd_unit:x`).
 */
export function contextFor(r: Resource, ctx: PlanContext, ids: ReadonlySet<string>): PlanContext {
  return r.instance ? { changed: (id) => ctx.changed(idMeant(r, id, ids)) } : ctx;
}

/** Whether the resource may change in this run: planned to change, uncertain, or to be refreshed. */
export function isPlanned(byId: ReadonlyMap<string, PlanEntry>, id: string): boolean {
  const e = byId.get(id);
  return !!e && (e.uncertain || !!e.refresh || (e.plan !== undefined && e.plan.action !== 'none'));
}

/** A module's error as a KeelError: one that was not keeps its message (the report's text is the same) and is the `cause`. */
export function asKeelError(e: unknown, code = 'E_PLAN'): KeelError {
  if (isKeelError(e)) return e;
  return new KeelError(code, e instanceof Error ? e.message : String(e), { cause: e });
}
