/**
 * The end of a converge on a host. A resource on a shared path was verified at the round trip
 * after its apply, but a later resource on the same path may have undone it since (two lines
 * that fight over one setting). Probe them all again in one round trip: one that no longer holds
 * fails, naming what undid it, so that converge never reports success for a state that
 * contradicts itself.
 */
import { StateError, errorMessage } from '../errors.js';
import type { HostFacts } from '../facts/types.js';
import type { PlanContext } from '../module.js';
import { moduleOf } from '../module-set.js';
import type { ResourceReport } from '../report/types.js';
import type { Transport } from '../transport/types.js';
import type { HostJob } from './compile.js';
import { runProbes } from './probe-host.js';

interface Check {
  id: string;
  path: string;
  /** Resources on the same path that changed after it. */
  later: string[];
}

export async function recheckShared(job: HostJob, reports: ResourceReport[], transport: Transport, facts: HostFacts, ctx: PlanContext, sudo: boolean): Promise<void> {
  const byId = new Map(reports.map((r) => [r.id, r]));
  const holds = (id: string) => ['ok', 'changed'].includes(byId.get(id)?.status ?? '');
  const checks: Check[] = [];
  for (const [path, ids] of job.shared ?? []) {
    if (!ids.some((id) => byId.get(id)?.status === 'changed')) continue;
    ids.forEach((id, i) => {
      if (holds(id)) checks.push({ id, path, later: ids.slice(i + 1).filter((x) => byId.get(x)?.status === 'changed') });
    });
  }
  if (checks.length === 0) return;
  const resources = checks.map((c) => job.graph.byId.get(c.id)!);
  let outputs: Awaited<ReturnType<typeof runProbes>>;
  try {
    outputs = await runProbes(transport, resources.map((r) => moduleOf(job.modules, r.kind).probe(r.spec)), sudo);
  } catch (e) {
    // keep every resource's own report (the connection may be gone), but claim no success
    const why = errorMessage(e);
    for (const c of checks) Object.assign(byId.get(c.id)!, { status: 'failed', error: `could not check again that a later resource on ${c.path} left it as it is: ${why}` });
    return;
  }
  checks.forEach((c, i) => {
    const r = resources[i];
    const mod = moduleOf(job.modules, r.kind);
    const report = byId.get(c.id)!;
    try {
      if (mod.plan(r.spec, mod.parse(r.spec, outputs[i], facts), facts, ctx).action === 'none') return;
    } catch (e) {
      report.status = 'failed';
      report.error = errorMessage(e);
      return;
    }
    const by = c.later.map((id) => {
      const pos = job.graph.byId.get(id)!.pos;
      return `${id} (${pos.file}:${pos.line})`;
    });
    report.status = 'failed';
    report.error = new StateError(
      `${by.length ? `undone by ${by.join(', ')}` : 'changed again'} later in this run on ${c.path}: the resources on this file disagree`,
      { resource: c.id, hint: 'make them agree (one resource per setting, matching patterns that do not overlap), or merge them into one' },
    ).format();
  });
}
