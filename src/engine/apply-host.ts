/**
 * Converge one host from its HostPlan: apply in graph order; probe again what a changed
 * dependency may affect (and any change once something ran); verify what changed; skip what
 * depends on a failure; run the refreshes of watchers whose triggers changed.
 */
import type { Logger } from 'pino';
import { KeelError, NotIdempotentError, StateError } from '../errors.js';
import type { Facts } from '../facts/types.js';
import type { Plan, PlanContext, ResourceModule } from '../module.js';
import type { ResourceReport } from '../report/types.js';
import type { Transport } from '../transport/types.js';
import type { HostJob } from './compile.js';
import { makeApplyContext } from './context.js';
import { redact } from './host-report.js';
import { asKeelError, type HostPlan, type PlanEntry } from './plan-host.js';
import { runProbes } from './probe-host.js';
import { recheckShared } from './recheck-shared.js';
import { refreshFor, triggersOf } from './refresh.js';
import { resourceReport } from './resource-report.js';

export interface ApplyIO {
  transport: Transport;
  sudo: boolean;
  log: Logger;
  /** Set when the user pressed Ctrl-C: finish the step in flight, skip the rest. */
  interrupted?: () => boolean;
}

type Resource = HostJob['resources'][number];
interface Item {
  r: Resource;
  plan: Plan;
}

export async function applyHost(hostPlan: HostPlan, io: ApplyIO): Promise<ResourceReport[]> {
  const { job, facts, byId: entries } = hostPlan;
  const { transport, sudo, log } = io;
  const order = hostPlan.entries.map((e) => e.resource);
  const changed = new Set<string>();
  /** Failed or skipped resources, each with the failure at the root of it. */
  const failed = new Map<string, string>();
  const onceKeys = new Map<string, Promise<void>>();
  const reports: ResourceReport[] = [];
  /** Resources applied ahead of their turn as part of a batch, with their outcome. */
  const batched = new Map<string, { plan: Plan; error?: KeelError }>();
  const ctx: PlanContext = { changed: (id) => changed.has(id) };
  /** Something was applied on the host: plans from the batch probe may be stale from now on. */
  let ranBefore = false;
  const verifyItem = (x: Item) => verify(transport, x.r.id, x.r.spec, entries.get(x.r.id)!.mod, facts, ctx, sudo, x.plan);
  for (const [pos, r] of order.entries()) {
    const e = entries.get(r.id)!;
    // a batch member was already applied with its batch: its own outcome counts, not its deps'
    const blocker = batched.has(r.id) ? undefined : (job.graph.deps.get(r.id) ?? []).find((d) => failed.has(d));
    if (io.interrupted?.() && !batched.has(r.id)) {
      failed.set(r.id, r.id);
      reports.push(resourceReport(r, e.mod, e.plan, 'skipped', 'interrupted (Ctrl-C) before this resource'));
      continue;
    }
    if (blocker) {
      const root = failed.get(blocker)!;
      failed.set(r.id, root);
      const why = root === blocker ? `dependency ${blocker} failed` : `dependency ${blocker} was skipped because ${root} failed`;
      reports.push(resourceReport(r, e.mod, e.plan, 'skipped', `skipped: ${why}`));
      continue;
    }
    const actx = makeApplyContext(transport, facts, sudo, log, onceKeys, r.id, job.host.secrets);
    let plan = e.plan;
    try {
      const done = batched.get(r.id);
      if (done) {
        plan = done.plan;
        if (done.error) throw done.error;
      } else {
        // A resource whose dependency changed is planned again from the host as it is now,
        // even if its first plan failed (the package that provides it was not there yet); so is
        // any change once something ran: a guard may hold now, a file may have other bytes.
        if (e.uncertain || (ranBefore && !e.error && plan!.action !== 'none')) plan = await replan(transport, r.spec, e.mod, facts, ctx, sudo);
        else if (e.error) throw e.error;
        if (plan!.action !== 'none') {
          const stale = ranBefore;
          ranBefore = true;
          let batch = e.mod.applyBatch ? batchFrom(order.slice(pos + 1), r.kind, entries, job, failed) : [];
          // the batch's other members are planned again too, in one round trip, once something ran
          if (stale && batch.length) batch = await replanBatch(transport, batch, e.mod, facts, ctx, sudo);
          if (batch.length) {
            await applyBatch(e.mod, actx, [{ r, plan: plan! }, ...batch], batched, verifyItem, log);
            const own = batched.get(r.id)!;
            if (own.error) throw own.error;
          } else {
            log.info({ resource: r.id, action: plan!.action }, 'apply');
            await e.mod.apply(actx, plan!, r.spec);
            await verifyItem({ r, plan: plan! });
          }
        }
      }
      if (plan!.action !== 'none') changed.add(r.id);
      const report = resourceReport(r, e.mod, plan, plan!.action === 'none' ? 'ok' : 'changed');
      const refresh = refreshFor(e.mod, r, plan, triggersOf(job.graph, r.id, (id) => changed.has(id)));
      if (refresh) {
        log.info({ resource: r.id, ...refresh }, 'refresh');
        ranBefore = true;
        await e.mod.refresh!(actx, r.spec);
        report.refreshed = true;
        report.refresh = refresh;
        report.status = 'changed';
        changed.add(r.id);
      }
      reports.push(report);
    } catch (err) {
      log.debug({ err, resource: r.id }, 'resource failed');
      failed.set(r.id, r.id);
      reports.push(resourceReport(r, e.mod, plan, 'failed', err));
    }
  }
  await recheckShared(job, reports, transport, facts, ctx, sudo);
  return reports;
}

/**
 * Later resources of the same kind that can join a batch now: planned to change, certain, and
 * depending on nothing that is still to come (other than members of the batch).
 */
function batchFrom(rest: Resource[], kind: string, entries: ReadonlyMap<string, PlanEntry>, job: HostJob, failed: ReadonlyMap<string, string>): Item[] {
  const pending = new Set(rest.map((x) => x.id));
  const members = new Set<string>();
  const batch: Item[] = [];
  for (const x of rest) {
    const e = entries.get(x.id)!;
    if (x.kind !== kind || e.error || e.uncertain || !e.plan || e.plan.action === 'none') continue;
    const deps = job.graph.deps.get(x.id) ?? [];
    if (deps.some((d) => failed.has(d) || (pending.has(d) && !members.has(d)))) continue;
    members.add(x.id);
    batch.push({ r: x, plan: e.plan });
  }
  return batch;
}

async function applyBatch(
  mod: ResourceModule,
  ctx: ReturnType<typeof makeApplyContext>,
  items: Item[],
  batched: Map<string, { plan: Plan; error?: KeelError }>,
  verifyOne: (x: Item) => Promise<void>,
  log: Logger,
): Promise<void> {
  log.info({ resources: items.map((x) => x.r.id) }, 'apply batch');
  let batchError: KeelError | undefined;
  try {
    await mod.applyBatch!(ctx, items.map((x) => ({ spec: x.r.spec, plan: x.plan })));
  } catch (e) {
    batchError = asKeelError(e, 'E_APPLY');
  }
  for (const x of items) {
    let error = batchError;
    if (!error) {
      try {
        await verifyOne(x);
      } catch (e) {
        error = asKeelError(e, 'E_APPLY');
      }
    }
    batched.set(x.r.id, { plan: x.plan, error });
  }
}

/** Probe one resource again (its dependency changed since the batch probe) and plan it. */
async function replan(transport: Transport, spec: Resource['spec'], mod: ResourceModule, facts: Facts, ctx: PlanContext, sudo: boolean): Promise<Plan> {
  const [out] = await runProbes(transport, [mod.probe(spec)], sudo);
  return mod.plan(spec, mod.parse(spec, out, facts), facts, ctx);
}

/** Probe batch members again in one exec; those that no longer need a change leave the batch (their turn finds them in sync). */
async function replanBatch(transport: Transport, batch: Item[], mod: ResourceModule, facts: Facts, ctx: PlanContext, sudo: boolean): Promise<Item[]> {
  const outs = await runProbes(transport, batch.map((x) => mod.probe(x.r.spec)), sudo);
  const fresh: Item[] = [];
  batch.forEach((x, i) => {
    try {
      const plan = mod.plan(x.r.spec, mod.parse(x.r.spec, outs[i], facts), facts, ctx);
      if (plan.action !== 'none') fresh.push({ r: x.r, plan });
    } catch {
      // not plannable now: it leaves the batch, and its own turn reports why
    }
  });
  return fresh;
}

/** Terraform's contract check: after apply the resource must plan to nothing, or the module is at fault. */
async function verify(transport: Transport, id: string, spec: Resource['spec'], mod: ResourceModule, facts: Facts, ctx: PlanContext, sudo: boolean, applied: Plan): Promise<void> {
  if (applied.verifiable === false) return;
  const after = await replan(transport, spec, mod, facts, ctx, sudo);
  if (after.action === 'none') return;
  if (applied.unsettled) throw new StateError(applied.unsettled.message, { resource: id, hint: applied.unsettled.hint });
  const fields = redact(mod, after.changes)
    .map((c) => `${c.field}: ${JSON.stringify(c.from)} -> ${JSON.stringify(c.to)}`)
    .join('; ');
  throw new NotIdempotentError(
    `not idempotent: module '${mod.kind}' applied ${id} but it still plans ${after.action}${fields ? ` (${fields})` : ''}`,
    { resource: id, hint: `this is a bug in the '${mod.kind}' module, not in your state file` },
  );
}
