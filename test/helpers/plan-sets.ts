/**
 * What a plan said each host would do, and what converge then did, as sets of resource ids per
 * kind of change (the Terraform-style counts of src/report/counts.ts, by id). Used to prove that
 * the plan says exactly what converge does: only resources plan showed as "may change" (and the
 * refreshes they trigger) may differ.
 */
import type { ResourceReport, RunReport } from '../../src/report/types.js';

export interface Sets {
  add: string[];
  change: string[];
  destroy: string[];
  run: string[];
  refresh: string[];
  mayChange: string[];
}

function kindOf(r: ResourceReport): keyof Sets | undefined {
  if (r.action === 'none' || r.action === 'may-change') return undefined;
  if (r.type === 'command') return 'run';
  return r.action === 'create' ? 'add' : r.action === 'update' ? 'change' : 'destroy';
}

function setsOf(resources: readonly ResourceReport[], converged: boolean): Sets {
  const s: Sets = { add: [], change: [], destroy: [], run: [], refresh: [], mayChange: [] };
  for (const r of resources) {
    if (converged ? r.refreshed : r.refresh && r.status !== 'failed') s.refresh.push(r.id);
    if (!converged && r.action === 'may-change') s.mayChange.push(r.id);
    const k = (converged ? r.status === 'changed' : r.status !== 'failed' && r.status !== 'skipped') ? kindOf(r) : undefined;
    if (k) s[k].push(r.id);
  }
  for (const k of Object.keys(s) as (keyof Sets)[]) s[k].sort();
  return s;
}

/** Per host: what plan said (`planned`) and what converge did, less what plan left open (`applied`). */
export function planAndConvergeSets(plan: RunReport, converge: RunReport): Record<string, { planned: Sets; applied: Sets; open: string[] }> {
  const out: Record<string, { planned: Sets; applied: Sets; open: string[] }> = {};
  for (const h of plan.hosts) {
    const planned = setsOf(h.resources, false);
    const done = converge.hosts.find((x) => x.host === h.host);
    const did = setsOf(done?.resources ?? [], true);
    const open = new Set(planned.mayChange);
    // a refresh a may-change resource triggered was left open too
    for (const r of done?.resources ?? []) if (r.refreshed && r.refresh?.because.every((b) => open.has(b))) open.add(r.id);
    const applied = { ...did, mayChange: planned.mayChange } as Sets;
    for (const k of ['add', 'change', 'destroy', 'run'] as const) applied[k] = did[k].filter((id) => !planned.mayChange.includes(id));
    applied.refresh = did.refresh.filter((id) => !(open.has(id) && !planned.refresh.includes(id)));
    out[h.host] = { planned, applied, open: [...open].sort() };
  }
  return out;
}
