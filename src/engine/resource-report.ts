/** One resource's report entry, from its plan and outcome; errors become the report's text only here. */
import { errorMessage } from '../errors.js';
import type { Plan, ResourceModule } from '../module.js';
import type { ResourceReport } from '../report/types.js';
import type { HostJob } from './compile.js';
import { redact } from './host-report.js';

type Resource = HostJob['resources'][number];

export function resourceReport(r: Resource, mod: ResourceModule, plan: Plan | undefined, status: ResourceReport['status'], error?: unknown): ResourceReport {
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
  if (error !== undefined) report.error = typeof error === 'string' ? error : errorMessage(error);
  return report;
}
