/** Pure builders of the per-host report and its summary. */
import type { SkippedResource } from '../config/types.js';
import type { Change, ResourceModule } from '../module.js';
import type { HostReport, HostStatus, ResourceReport } from '../report/types.js';

export const REDACTED = '(sensitive)';

export function redact(mod: ResourceModule, changes: Change[]): Change[] {
  const secret = new Set(mod.sensitive ?? []);
  return changes.map((c) => {
    const from = c.from ?? null;
    const to = c.to ?? null;
    if (!secret.has(c.field)) return { field: c.field, from, to };
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
  if (error) report.error = error;
  return report;
}

/**
 * Every string in `value` with each secret replaced by "(sensitive)": diffs, changes, errors, the
 * scripts logged at debug. Scripts carry a secret shell-quoted (`'` as `'\''`) and messages may
 * carry it JSON-escaped: those forms are replaced too, so quoting never lets one through.
 */
export function redactSecrets<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  const forms = secretForms(secrets);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return forms.reduce((s, secret) => s.split(secret).join(REDACTED), v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/** Each secret as it is, as it is inside shq's quotes and inside a JSON string; longest first. */
function secretForms(secrets: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const s of secrets) for (const f of [s, s.replace(/'/g, `'\\''`), JSON.stringify(s).slice(1, -1)]) forms.add(f);
  return [...forms].sort((a, b) => b.length - a.length);
}
