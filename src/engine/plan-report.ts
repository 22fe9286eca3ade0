/** What `keel plan` reports for a host: its HostPlan as resource reports, in graph order. */
import type { ResourceReport } from '../report/types.js';
import { isPlanned, type HostPlan } from './plan-host.js';
import { resourceReport } from './resource-report.js';

export function planReports(plan: HostPlan): ResourceReport[] {
  const { job, byId } = plan;
  return plan.entries.map((e) => {
    const r = e.resource;
    if (e.error && e.uncertain) {
      // It cannot be planned yet (its config file comes with a package that will be installed
      // first): converge probes it again once its dependencies are done. The error's hint (say,
      // "set create: true") is for a file nothing creates, so it is not shown here.
      const report = resourceReport(r, e.mod, undefined, 'planned');
      report.action = 'may-change';
      const first = (job.graph.deps.get(r.id) ?? []).filter((d) => isPlanned(byId, d));
      report.note = `cannot be planned until ${listed(first)} ${first.length === 1 ? 'is' : 'are'} applied: ${e.error.message}`;
      return report;
    }
    if (e.error) return resourceReport(r, e.mod, undefined, 'failed', e.error);
    const report = resourceReport(r, e.mod, e.plan, 'planned');
    // in sync, but a dependency will change first: may change, unless that change only refreshes it
    const waitsOn = (job.graph.deps.get(r.id) ?? []).filter((d) => isPlanned(byId, d) && !e.refresh?.because.includes(d));
    if (e.uncertain && e.plan!.action === 'none' && waitsOn.length) report.action = 'may-change';
    // a change that what is applied first may make (a package or a command planned before it, at
    // any depth): shown as may change, with the changes it has now
    if (e.uncertain && e.plan!.provisional && waitsOn.length && bringsThings(plan, r.id)) {
      report.action = 'may-change';
      report.note = `${e.plan!.provisional}: planned again once ${listed(waitsOn)} ${waitsOn.length === 1 ? 'is' : 'are'} applied`;
    }
    if (e.refresh) report.refresh = e.refresh;
    else if (report.action === 'none') report.status = 'ok';
    return report;
  });
}

/** Ids for a note: the first three and how many more. */
function listed(ids: readonly string[]): string {
  return ids.length > 3 ? `${ids.slice(0, 3).join(', ')} and ${ids.length - 3} more` : ids.join(', ');
}

/** Kinds whose change may bring, start or enable what no resource of the run declares. */
const BRINGERS = new Set(['pkg', 'command']);

/** Whether a package or a command planned to change comes before `id` (through the dependencies that change). */
function bringsThings(plan: HostPlan, id: string): boolean {
  const seen = new Set<string>();
  const visit = (x: string): boolean =>
    (plan.job.graph.deps.get(x) ?? []).some((d) => {
      if (seen.has(d) || !isPlanned(plan.byId, d)) return false;
      seen.add(d);
      return BRINGERS.has(plan.byId.get(d)!.resource.kind) || visit(d);
    });
  return visit(id);
}
