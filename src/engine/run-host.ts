/**
 * Plan or converge one host. Probe once (one exec; two when its states read facts), plan every
 * resource purely, then (converge) apply in graph order: re-probe what a changed dependency may
 * affect, verify what changed, skip what depends on a failure, run refreshes of watchers.
 */
import { pino, type Logger } from 'pino';
import { KeelError, NotIdempotentError, StateError, errorMessage } from '../errors.js';
import type { Facts } from '../facts/types.js';
import type { Plan, PlanContext, ResourceModule } from '../module.js';
import { moduleOf } from '../module-set.js';
import type { HostReport, RefreshReport, ResourceReport } from '../report/types.js';
import type { Transport } from '../transport/types.js';
import type { HostJob } from './compile.js';
import { makeApplyContext } from './context.js';
import { probePhase } from './facts-phase.js';
import { runProbes } from './probe-host.js';
import { recheckShared } from './recheck-shared.js';
import { refreshFor, triggersOf } from './refresh.js';
import { inHostSession, type SessionOptions } from './host-session.js';
import { hostReport, redact, redactSecrets, skippedReport } from './host-report.js';

export interface RunHostOptions extends SessionOptions {
  mode: 'plan' | 'converge';
  log: Logger;
  /** Set when the user pressed Ctrl-C: finish the step in flight, skip the rest. */
  interrupted?: () => boolean;
}

interface Entry {
  mod: ResourceModule;
  plan?: Plan;
  error?: string;
  uncertain: boolean;
  /** Plan only: the refresh its triggers' planned changes will run. */
  refresh?: RefreshReport;
}

export async function runHost(job: HostJob, opts: RunHostOptions): Promise<HostReport> {
  // values of sensitive_vars never leave the engine: not in diffs, changes, errors or history
  return redactSecrets(await runHostUnredacted(job, opts), job.host.secrets);
}

async function runHostUnredacted(job: HostJob, opts: RunHostOptions): Promise<HostReport> {
  const started = Date.now();
  // errors logged at debug carry commands and output: redact the host's secrets from them too
  const secrets = job.host.secrets;
  const log = opts.log.child(
    { host: job.host.name },
    { serializers: { err: (e: Error) => redactSecrets(pino.stdSerializers.err(e), secrets) } },
  );
  return inHostSession(job, opts, log, started, (transport) => planAndApply(job, transport, opts, log, started));
}

async function planAndApply(compiled: HostJob, transport: Transport, opts: RunHostOptions, log: Logger, started: number): Promise<HostReport> {
  const sudo = compiled.host.connection.become;
  const entries = new Map<string, Entry>();
  const { job, order, facts, outputs } = await probePhase(compiled, transport, sudo, log);

  const planned = (id: string) => {
    const e = entries.get(id);
    return !!e && (e.uncertain || !!e.refresh || (e.plan !== undefined && e.plan.action !== 'none'));
  };
  const planCtx: PlanContext = { changed: (id) => (planned(id) ? 'maybe' : false) };
  order.forEach((r, i) => {
    const mod = moduleOf(job.modules, r.kind);
    const uncertain = (job.graph.deps.get(r.id) ?? []).some(planned);
    const entry: Entry = { mod, uncertain };
    try {
      entry.plan = mod.plan(r.spec, mod.parse(r.spec, outputs[i], facts), facts, planCtx);
    } catch (e) {
      entry.error = errorMessage(e);
    }
    entry.refresh = refreshFor(mod, r, entry.plan, triggersOf(job.graph, r.id, planned));
    entries.set(r.id, entry);
  });

  if (opts.mode === 'plan') {
    const reports = order.map((r) => {
      const e = entries.get(r.id)!;
      if (e.error && e.uncertain) {
        // It cannot be planned yet (its config file comes with a package that will be installed
        // first): converge probes it again once its dependencies are done.
        const report = resourceReport(r, e.mod, undefined, 'planned');
        report.action = 'may-change';
        report.note = `cannot be planned until its dependencies are applied: ${e.error}`;
        return report;
      }
      if (e.error) return resourceReport(r, e.mod, undefined, 'failed', e.error);
      const report = resourceReport(r, e.mod, e.plan, 'planned');
      // in sync, but a dependency will change first: may change, unless that change only refreshes it
      const waitsOn = (job.graph.deps.get(r.id) ?? []).filter((d) => planned(d) && !e.refresh?.because.includes(d));
      if (e.uncertain && e.plan!.action === 'none' && waitsOn.length) report.action = 'may-change';
      if (e.refresh) report.refresh = e.refresh;
      else if (report.action === 'none') report.status = 'ok';
      return report;
    });
    return hostReport(job.host.name, 'plan', started, [...reports, ...(job.skipped ?? []).map(skippedReport)]);
  }

  const changed = new Set<string>();
  /** Failed or skipped resources, each with the failure at the root of it. */
  const failed = new Map<string, string>();
  const onceKeys = new Map<string, Promise<void>>();
  const reports: ResourceReport[] = [];
  /** Resources applied ahead of their turn as part of a batch, with their outcome. */
  const batched = new Map<string, { plan: Plan; error?: string }>();
  const convergeCtx: PlanContext = { changed: (id) => changed.has(id) };
  /** Something was applied on the host: plans from the batch probe may be stale from now on. */
  let ranBefore = false;
  const ctxFor = (id: string) => makeApplyContext(transport, facts, sudo, log, onceKeys, id, job.host.secrets);
  for (const [pos, r] of order.entries()) {
    const e = entries.get(r.id)!;
    // a batch member was already applied with its batch: its own outcome counts, not its deps'
    const blocker = batched.has(r.id) ? undefined : (job.graph.deps.get(r.id) ?? []).find((d) => failed.has(d));
    if (opts.interrupted?.() && !batched.has(r.id)) {
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
    const ctx = ctxFor(r.id);
    let plan = e.plan;
    try {
      const done = batched.get(r.id);
      if (done) {
        plan = done.plan;
        if (done.error) throw new KeelError('E_APPLY', done.error);
      } else {
        // A resource whose dependency changed is planned again from the host as it is now,
        // even if its first plan failed (the package that provides it was not there yet); so is
        // any change once something ran: a guard may hold now, a file may have other bytes.
        if (e.uncertain || (ranBefore && !e.error && plan!.action !== 'none')) plan = await replan(transport, r.spec, e.mod, facts, convergeCtx, sudo);
        else if (e.error) throw new KeelError('E_PLAN', e.error);
        if (plan!.action !== 'none') {
          const stale = ranBefore;
          ranBefore = true;
          let batch = e.mod.applyBatch ? batchFrom(order.slice(pos + 1), r.kind, entries, job, failed) : [];
          // the batch's other members are planned again too, in one round trip, once something ran
          if (stale && batch.length) batch = await replanBatch(transport, batch, e.mod, facts, convergeCtx, sudo);
          if (batch.length) {
            await applyBatch(e.mod, ctx, [{ r, plan: plan! }, ...batch], batched, (x) => verify(transport, x.r.id, x.r.spec, e.mod, facts, convergeCtx, sudo, x.plan), log);
            const own = batched.get(r.id)!;
            if (own.error) throw new KeelError('E_APPLY', own.error);
          } else {
            log.info({ resource: r.id, action: plan!.action }, 'apply');
            await e.mod.apply(ctx, plan!, r.spec);
            await verify(transport, r.id, r.spec, e.mod, facts, convergeCtx, sudo, plan!);
          }
        }
      }
      if (plan!.action !== 'none') changed.add(r.id);
      const report = resourceReport(r, e.mod, plan, plan!.action === 'none' ? 'ok' : 'changed');
      const refresh = refreshFor(e.mod, r, plan, triggersOf(job.graph, r.id, (id) => changed.has(id)));
      if (refresh) {
        log.info({ resource: r.id, ...refresh }, 'refresh');
        ranBefore = true;
        await e.mod.refresh!(ctx, r.spec);
        report.refreshed = true;
        report.refresh = refresh;
        report.status = 'changed';
        changed.add(r.id);
      }
      reports.push(report);
    } catch (err) {
      log.debug({ err, resource: r.id }, 'resource failed');
      failed.set(r.id, r.id);
      reports.push(resourceReport(r, e.mod, plan, 'failed', errorMessage(err)));
    }
  }
  await recheckShared(job, reports, transport, facts, convergeCtx, sudo);
  return hostReport(job.host.name, 'converge', started, [...reports, ...(job.skipped ?? []).map(skippedReport)]);
}

type Resource = HostJob['resources'][number];

/**
 * Later resources of the same kind that can join a batch now: planned to change, certain, and
 * depending on nothing that is still to come (other than members of the batch).
 */
function batchFrom(rest: Resource[], kind: string, entries: Map<string, Entry>, job: HostJob, failed: ReadonlyMap<string, string>): { r: Resource; plan: Plan }[] {
  const pending = new Set(rest.map((x) => x.id));
  const members = new Set<string>();
  const batch: { r: Resource; plan: Plan }[] = [];
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
  items: { r: Resource; plan: Plan }[],
  batched: Map<string, { plan: Plan; error?: string }>,
  verifyOne: (x: { r: Resource; plan: Plan }) => Promise<void>,
  log: Logger,
): Promise<void> {
  log.info({ resources: items.map((x) => x.r.id) }, 'apply batch');
  let batchError: string | undefined;
  try {
    await mod.applyBatch!(ctx, items.map((x) => ({ spec: x.r.spec, plan: x.plan })));
  } catch (e) {
    batchError = errorMessage(e);
  }
  for (const x of items) {
    let error = batchError;
    if (!error) {
      try {
        await verifyOne(x);
      } catch (e) {
        error = errorMessage(e);
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
async function replanBatch(transport: Transport, batch: { r: Resource; plan: Plan }[], mod: ResourceModule, facts: Facts, ctx: PlanContext, sudo: boolean): Promise<{ r: Resource; plan: Plan }[]> {
  const outs = await runProbes(transport, batch.map((x) => mod.probe(x.r.spec)), sudo);
  const fresh: { r: Resource; plan: Plan }[] = [];
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

function resourceReport(r: Resource, mod: ResourceModule, plan: Plan | undefined, status: ResourceReport['status'], error?: string): ResourceReport {
  const report: ResourceReport = {
    id: r.id,
    type: r.kind,
    name: r.name,
    source: `${r.pos.file}:${r.pos.line}`,
    action: plan?.action ?? 'none',
    changes: plan ? redact(mod, plan.changes) : [],
    status,
  };
  if (plan?.diff) report.diff = plan.diff;
  if (plan?.warnings?.length) report.warnings = plan.warnings;
  if (error) report.error = error;
  return report;
}

