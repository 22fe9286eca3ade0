/**
 * Converge one host from its HostPlan, in graph order: skip what depends on a failure, probe
 * again before its apply what a changed dependency or what ran since may have changed
 * (freshness.ts), apply, verify that what was applied now plans to nothing, run the refreshes
 * of watchers whose triggers changed. Probes again and verifies are gathered: one round trip
 * verifies everything applied since the last one and probes again what is due; before a file-like
 * resource, together with the later confined resources that nothing in between can change (so N
 * files after a package install cost one probe, not N, and N files written cost one verify).
 * Something wide, and every refresh, runs only once everything applied before it is verified.
 */
import type { Logger } from 'pino';
import { isKeelError, type KeelError } from '../errors.js';
import type { Plan, PlanContext } from '../module.js';
import type { RefreshReport, ResourceReport } from '../report/types.js';
import type { Transport } from '../transport/types.js';
import { makeApplyContext } from './context.js';
import { changes, confined, needsProbe, probeWindow, type Fresh, type Ran } from './freshness.js';
import { asKeelError, contextFor, isPlanned, type HostPlan, type PlanEntry } from './plan-host.js';
import { runProbes } from './probe-host.js';
import { recheckShared } from './recheck-shared.js';
import { refreshFor, triggersOf } from './refresh.js';
import { resourceReport } from './resource-report.js';
import { planFrom, verifyError } from './verify.js';

export interface ApplyIO {
  transport: Transport;
  sudo: boolean;
  log: Logger;
  /** Set when the user pressed Ctrl-C: finish the step in flight, skip the rest. */
  interrupted?: () => boolean;
  /** Told before each resource's turn: how many are done, of how many, and which is next. */
  progress?(done: number, total: number, resource: string): void;
}

interface Outcome {
  status: ResourceReport['status'];
  plan?: Plan;
  error?: unknown;
  refresh?: RefreshReport;
}

export async function applyHost(hostPlan: HostPlan, io: ApplyIO): Promise<ResourceReport[]> {
  const { job, facts, entries, byId } = hostPlan;
  const { transport, sudo, log } = io;
  const ran: Ran = { any: 0, wide: 0 };
  const fresh = new Map<string, Fresh>(entries.map((e) => [e.resource.id, { plan: e.error ?? e.plan, at: { any: 0, wide: 0 }, again: false }]));
  const outcomes = new Map<string, Outcome>();
  /** Applied, not verified yet. */
  const unverified = new Map<string, PlanEntry>();
  const changed = new Set<string>();
  /** Failed or skipped resources, each with the failure at the root of it. */
  const failed = new Map<string, string>();
  const onceKeys = new Map<string, Promise<void>>();
  const ctx: PlanContext = { changed: (id) => changed.has(id) };
  const ids = new Set(job.resources.map((r) => r.id));
  const done = (id: string) => outcomes.has(id);
  /** Failed (or, with `status`, skipped) with `error`, its report showing the plan it had. */
  const fail = (e: PlanEntry, error: unknown, root = e.resource.id, status: Outcome['status'] = 'failed') => {
    const id = e.resource.id;
    failed.set(id, root);
    changed.delete(id);
    const latest = fresh.get(id)!.plan;
    const plan = outcomes.get(id)?.plan ?? (latest && !isKeelError(latest) ? latest : e.plan);
    outcomes.set(id, { plan, status, error });
  };

  /** One round trip: verify everything applied since the last one, then plan `again` from the host as it is now. */
  const probePoint = async (again: string[]) => {
    const verify = [...unverified.values()];
    unverified.clear();
    if (verify.length + again.length === 0) return;
    const rs = [...verify, ...again.map((id) => byId.get(id)!)];
    let outs: Awaited<ReturnType<typeof runProbes>> | undefined;
    let lost: KeelError | undefined;
    try {
      outs = await runProbes(transport, rs.map((e) => e.mod.probe(e.resource.spec)), sudo);
    } catch (e) {
      lost = asKeelError(e, 'E_TRANSPORT');
    }
    // verdicts first: a plan made again below sees which of its dependencies changed
    verify.forEach((e, i) => {
      const applied = outcomes.get(e.resource.id)!.plan!;
      const error = lost ?? verifyError(e.resource, e.mod, applied, planFrom(e.resource, e.mod, outs![i], facts, contextFor(e.resource, ctx, ids)));
      if (error) fail(e, error);
      else changed.add(e.resource.id);
    });
    again.forEach((id, j) => {
      const e = byId.get(id)!;
      fresh.set(id, { plan: lost ?? planFrom(e.resource, e.mod, outs![verify.length + j], facts, contextFor(e.resource, ctx, ids)), at: { ...ran }, again: true });
    });
  };

  /** Applied: verified at the next round trip unless its plan says a probe cannot show it settled. */
  const applied = (e: PlanEntry, plan: Plan) => {
    outcomes.set(e.resource.id, { status: 'changed', plan });
    if (plan.verifiable === false) changed.add(e.resource.id);
    else unverified.set(e.resource.id, e);
  };
  const ranNow = (wide: boolean) => {
    ran.any++;
    if (wide) ran.wide++;
  };

  for (const [pos, e] of entries.entries()) {
    const r = e.resource;
    const id = r.id;
    io.progress?.(pos, entries.length, id);
    const early = outcomes.get(id); // applied ahead of its turn with a batch
    if (io.interrupted?.() && !early) {
      fail(e, 'interrupted (Ctrl-C) before this resource', id, 'skipped');
      continue;
    }
    const deps = job.graph.deps.get(id) ?? [];
    const blocked = () => (early ? undefined : deps.find((d) => failed.has(d)));
    // a dependency applied but not verified yet is verified first (in the same round trip as its probe again, when due)
    const due = !early && !blocked() && needsProbe(e, fresh.get(id)!, ran);
    if (due || unverified.has(id) || (!blocked() && deps.some((d) => unverified.has(d)))) {
      const mayChange = (x: string) => isPlanned(byId, x) || changes(fresh.get(x)!.plan);
      await probePoint(due ? probeWindow(job, e, entries.slice(pos + 1), done, (x) => fresh.get(x)!, ran, mayChange) : []);
    }
    const blocker = blocked();
    if (blocker) {
      const root = failed.get(blocker)!;
      const why = root === blocker ? `dependency ${blocker} failed` : `dependency ${blocker} was skipped because ${root} failed`;
      fail(e, `skipped: ${why}`, root, 'skipped');
      continue;
    }
    const actx = makeApplyContext(transport, facts, sudo, log, onceKeys, id, job.host.secrets);
    try {
      if (!early) {
        const plan = fresh.get(id)!.plan;
        if (plan === undefined || isKeelError(plan)) throw plan;
        if (plan.action === 'none') outcomes.set(id, { status: 'ok', plan });
        else await applyTurn(e, plan, entries.slice(pos + 1));
      }
      const own = outcomes.get(id)!;
      if (own.status === 'failed') continue;
      const refresh = refreshFor(e.mod, r, own.plan, triggersOf(job.graph, id, (x) => changed.has(x)));
      if (!refresh) continue;
      // its own change (and whatever else was applied) must hold before a refresh may touch anything
      if (unverified.size) await probePoint([]);
      if (outcomes.get(id)!.status === 'failed') continue;
      log.info({ resource: id, ...refresh }, 'refresh');
      ranNow(true);
      await e.mod.refresh!(actx, r.spec);
      outcomes.set(id, { ...outcomes.get(id)!, status: 'changed', refresh });
      changed.add(id);
    } catch (err) {
      log.debug({ err, resource: id }, 'resource failed');
      fail(e, err);
    }
  }
  await probePoint([]);

  /** Apply `e` (with the later members of its batch, if its module batches): verified at the next round trip. */
  async function applyTurn(e: PlanEntry, plan: Plan, rest: PlanEntry[]): Promise<void> {
    const wide = !confined(e);
    let batch = e.mod.applyBatch ? batchFrom(e, rest) : [];
    const stale = batch.filter((x) => needsProbe(x, fresh.get(x.resource.id)!, ran)).map((x) => x.resource.id);
    // what ran before is verified before something that may touch anything runs
    if (stale.length || (wide && unverified.size)) {
      await probePoint(stale);
      // a member that no longer needs a change (or lost a dependency) leaves the batch: its turn says why
      batch = batch.filter((x) => changes(fresh.get(x.resource.id)!.plan) && !(job.graph.deps.get(x.resource.id) ?? []).some((d) => failed.has(d)));
    }
    const actx = makeApplyContext(transport, facts, sudo, log, onceKeys, e.resource.id, job.host.secrets);
    ranNow(wide);
    if (batch.length === 0) {
      log.info({ resource: e.resource.id, action: plan.action }, 'apply');
      await e.mod.apply(actx, plan, e.resource.spec);
      applied(e, plan);
      return;
    }
    const items = [{ e, plan }, ...batch.map((x) => ({ e: x, plan: fresh.get(x.resource.id)!.plan as Plan }))];
    log.info({ resources: items.map((x) => x.e.resource.id) }, 'apply batch');
    try {
      await e.mod.applyBatch!(actx, items.map((x) => ({ spec: x.e.resource.spec, plan: x.plan })));
    } catch (err) {
      const error = asKeelError(err, 'E_APPLY');
      for (const x of items) {
        outcomes.set(x.e.resource.id, { status: 'changed', plan: x.plan });
        fail(x.e, error);
      }
      return;
    }
    for (const x of items) applied(x.e, x.plan);
  }

  /**
   * Later resources of the same kind that can join a batch now: planned to change, certain, and
   * depending on nothing that is still to come (other than members of the batch).
   */
  function batchFrom(first: PlanEntry, rest: PlanEntry[]): PlanEntry[] {
    const pending = new Set(rest.map((x) => x.resource.id));
    const members = new Set<string>();
    const batch: PlanEntry[] = [];
    for (const x of rest) {
      const xid = x.resource.id;
      if (x.resource.kind !== first.resource.kind || x.error || x.uncertain || done(xid) || !changes(fresh.get(xid)!.plan)) continue;
      const deps = job.graph.deps.get(xid) ?? [];
      if (deps.some((d) => failed.has(d) || (pending.has(d) && !members.has(d)))) continue;
      members.add(xid);
      batch.push(x);
    }
    return batch;
  }

  const reports = entries.map((e) => {
    const o = outcomes.get(e.resource.id)!;
    const report = resourceReport(e.resource, e.mod, o.plan, o.status, o.error);
    if (o.refresh) Object.assign(report, { refreshed: true, refresh: o.refresh });
    return report;
  });
  await recheckShared(job, reports, transport, facts, ctx, sudo);
  return reports;
}
