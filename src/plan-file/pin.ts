/**
 * What a saved plan remembers of a host, and the check that the host and its states are still
 * what was planned. Per resource: a digest of its declaration (the rendered parameters and
 * relations, secrets taken out) and of its plan as the saved report shows it (action, changes,
 * diff, refresh, note, error; not where it was declared, so moving a line is no change). The
 * secrets are the host's sensitive_vars values and every value of a field its modules call
 * sensitive (a password written in a state). A host with any also gets one keyed digest over
 * the same with the secrets in (digest.ts), so a secret that changed (in the states or on the
 * host) is seen without the file holding it. Pure.
 */
import type { HostJob } from '../engine/compile.js';
import type { HostPlan } from '../engine/plan-host.js';
import { moduleOf } from '../module-set.js';
import { planReports } from '../engine/plan-report.js';
import { redactSecrets } from '../redact.js';
import type { ResourceReport } from '../report/types.js';
import { canonicalJson, keyedDigest, secretKey, sha256 } from './digest.js';

export interface PinnedResource {
  id: string;
  /** The plan's action for it (what a refusal names). */
  action: ResourceReport['action'];
  /** SHA-256 of its declaration, secrets redacted. */
  spec: string;
  /** SHA-256 of its plan, secrets redacted. */
  plan: string;
}

export interface PinnedHost {
  resources: PinnedResource[];
  /** HMAC (scrypt-keyed by the host's secrets) of every declaration and plan, secrets in: hosts with secrets only. */
  sensitive?: string;
  /** Some resource could not be planned: such a plan is not applied. */
  failed?: boolean;
}

/** The values a plan file must not hold of a job: its sensitive_vars values and its resources' sensitive fields. */
export function planSecrets(job: HostJob): string[] {
  const out = new Set(job.host.secrets);
  for (const r of job.resources) {
    for (const field of moduleOf(job.modules, r.kind).sensitive ?? []) {
      const v = r.spec[field];
      if (typeof v === 'string' && v !== '') out.add(v);
    }
  }
  return [...out];
}

/** `secrets`: planSecrets of the plan's job (given when the caller has them already). */
export function pinHost(plan: HostPlan, salt: string, secrets = planSecrets(plan.job)): PinnedHost {
  const raw = planReports(plan);
  // the report as runHost redacts it, the form the plan file keeps
  const reports = redactSecrets(raw, plan.job.host.secrets);
  const parts = plan.entries.map((e, i) => {
    const r = e.resource;
    const declared = { kind: r.kind, name: r.name, spec: r.spec, require: r.require, before: r.before, watch: r.watch, notify: r.notify };
    return { id: r.id, declared: canonicalJson(declared), report: reports[i] };
  });
  const pinned: PinnedHost = {
    resources: parts.map((p) => ({
      id: redactSecrets(p.id, secrets),
      action: p.report.action,
      spec: sha256(redactSecrets(p.declared, secrets)),
      plan: reportDigest(redactSecrets(p.report, secrets)),
    })),
  };
  if (secrets.length) pinned.sensitive = keyedDigest(secretKey(secrets, salt), canonicalJson(raw.map((r, i) => [parts[i].declared, planned(r)])));
  if (reports.some((r) => r.status === 'failed')) pinned.failed = true;
  return pinned;
}

/** What of a resource's report is what converge would do: not its place in the files. */
function planned(r: ResourceReport): unknown {
  const { id, type, name, action, changes, diff, status, refresh, note, warnings, error } = r;
  return { id, type, name, action, changes, diff, status, refresh, note, warnings, error };
}

/** The digest of a resource's report as a pin holds it. */
export function reportDigest(r: ResourceReport): string {
  return sha256(canonicalJson(planned(r)));
}

/** Why the host as planned now differs from the saved plan, one line per resource; empty when it does not. */
export function pinDifferences(saved: PinnedHost, now: PinnedHost): string[] {
  const out: string[] = [];
  const current = new Map(now.resources.map((r) => [r.id, r]));
  const before = new Set(saved.resources.map((r) => r.id));
  for (const s of saved.resources) {
    const n = current.get(s.id);
    if (!n) out.push(`${s.id}: no longer in the states`);
    else if (n.spec !== s.spec) out.push(`${s.id}: its declaration changed since the plan`);
    else if (n.plan !== s.plan) out.push(n.action === s.action ? `${s.id}: the host changed since the plan (the changes differ)` : `${s.id}: the host changed since the plan (planned: ${s.action}, now: ${n.action})`);
  }
  for (const n of now.resources) if (!before.has(n.id)) out.push(`${n.id}: new in the states since the plan`);
  if (out.length === 0 && saved.sensitive !== now.sensitive) out.push('a sensitive value changed since the plan (a secret in the states or the inventory, or what the host holds where a secret goes)');
  return out;
}
