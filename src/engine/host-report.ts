/** Pure builders of the per-host report and its summary. */
import { countResources } from '../report/counts.js';
import type { SkippedResource } from '../config/types.js';
import type { Change, ResourceModule } from '../module.js';
import type { HostReport, HostStatus, ResourceReport } from '../report/types.js';

export { REDACTED, redactSecrets } from '../redact.js';
import { REDACTED } from '../redact.js';

export function redact(mod: ResourceModule, changes: Change[]): Change[] {
  const secret = new Set(mod.sensitive ?? []);
  return changes.map((c) => {
    const from = c.from ?? null;
    const to = c.to ?? null;
    if (!secret.has(c.field)) return { field: c.field, from, to, ...(c.detail ? { detail: c.detail } : {}) };
    return { field: c.field, from: from === null ? null : REDACTED, to: to === null ? null : REDACTED };
  });
}

/** A resource whose `when` is false: never probed, so nothing is known of it but its declaration. */
export function skippedReport(r: SkippedResource): ResourceReport {
  const source = `${r.pos.file}:${r.pos.line}`;
  return { id: r.id, type: r.kind, name: r.name, source, action: 'none', changes: [], status: 'skipped', condition: r.condition };
}

export function hostReport(host: string, phase: 'plan' | 'converge' | 'unreachable' | 'failed', started: number, resources: ResourceReport[], error?: string): HostReport {
  const summary = { ok: 0, changed: 0, failed: 0, skipped: 0, uncertain: 0 };
  /** Skipped because of a failure or Ctrl-C; a false `when` is a skip by design. */
  let cutShort = 0;
  for (const r of resources) {
    if (r.status === 'failed') summary.failed++;
    else if (r.status === 'skipped') {
      summary.skipped++;
      if (r.condition === undefined) cutShort++;
    }
    else if (r.action === 'may-change') summary.uncertain++;
    // a resource in sync that a planned change will refresh (restart, run) counts as a change
    else if (r.status === 'changed' || (r.status === 'planned' && (r.action !== 'none' || r.refresh))) summary.changed++;
    else summary.ok++;
  }
  let status: HostStatus;
  if (phase === 'unreachable' || phase === 'failed') status = phase;
  // skipped without a failure means interrupted (Ctrl-C): not a healthy host
  else if (summary.failed > 0 || cutShort > 0) status = 'failed';
  else if (phase === 'plan') status = summary.changed > 0 ? 'drift' : 'in-sync';
  else status = summary.changed > 0 ? 'changed' : 'ok';
  const report: HostReport = { host, status, durationMs: Date.now() - started, resources, summary };
  // the Terraform-style counts the text headline gives (src/report/counts.ts), for a host that was planned or converged
  if (phase === 'plan' || phase === 'converge') report.counts = countResources(resources, phase);
  if (error) report.error = error;
  return report;
}
