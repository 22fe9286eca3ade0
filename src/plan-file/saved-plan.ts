/**
 * The saved plan file (`keel plan --out plan.keel`): JSON, mode 0600, written atomically. It holds
 * what converge needs to apply exactly that plan and to refuse when it no longer holds: the
 * inventory, --limit, --tags and --var it was made with (a --var carrying a secret by name only),
 * each host's pins (pin.ts: digests, never a secret), and the plan's report as `keel plan --json`
 * prints it (secrets redacted) for `keel show`.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError, UsageError } from '../errors.js';
import { writeFileAtomic } from '../atomic-write.js';
import { varsWithSecrets } from '../redact.js';
import type { RunReport } from '../report/types.js';
import { KEEL_VERSION } from '../version.js';
import { compileSchema } from '../config/ajv.js';
import { reportDigest, type PinnedHost } from './pin.js';
import { PLAN_FILE_SCHEMA } from './plan-schema.js';

export const PLAN_FORMAT = 'keel-plan';
export const PLAN_VERSION = 1;

export interface SavedVar {
  name: string;
  /** The `--var` value as given; absent for one that carried a secret (give it again to converge). */
  value?: string;
}

export interface SavedPlan {
  format: typeof PLAN_FORMAT;
  version: typeof PLAN_VERSION;
  keel: string;
  createdAt: string;
  /** Absolute path of the inventory. */
  inventory: string;
  limit?: string;
  tags?: string;
  vars: SavedVar[];
  /** Base64 salt of the keyed digests (digest.ts). */
  salt: string;
  /** Hosts that were planned, by name; a host missing here (unreachable) had no plan. */
  hosts: Record<string, PinnedHost>;
  report: RunReport;
}

export function newSalt(): string {
  return randomBytes(16).toString('base64');
}

/** `--var k=v` arguments as saved: those whose value holds one of `secrets` by name only. */
export function savedVars(args: readonly string[], secrets: readonly string[]): SavedVar[] {
  const sensitive = new Set(varsWithSecrets(args, secrets));
  return args.map((arg) => {
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    return sensitive.has(name) ? { name } : { name, value: eq < 0 ? '' : arg.slice(eq + 1) };
  });
}

/**
 * The --var arguments of a converge of `plan`: the saved ones, each a sensitive one left out
 * replaced by the one given now; `given` may only set such names (or repeat a saved value).
 */
export function convergeVars(plan: SavedPlan, given: readonly string[], file: string): string[] {
  const byName = new Map(given.map((arg) => [arg.split('=')[0], arg]));
  const out: string[] = [];
  for (const v of plan.vars) {
    if (v.value !== undefined) {
      const again = byName.get(v.name);
      if (again !== undefined && again !== `${v.name}=${v.value}`) throw new UsageError(`--var ${v.name}: ${file} was planned with another value`, { hint: 'a saved plan is applied with the --var values it was made with: plan again to change one' });
      out.push(`${v.name}=${v.value}`);
    } else {
      const again = byName.get(v.name);
      if (again === undefined) throw new UsageError(`--var ${v.name} carried a secret, so ${file} does not hold its value`, { hint: `give it again: keel converge ${file} --var ${v.name}=...` });
      out.push(again);
    }
  }
  const saved = new Set(plan.vars.map((v) => v.name));
  const extra = given.map((a) => a.split('=')[0]).filter((n) => !saved.has(n));
  if (extra.length) throw new UsageError(`--var ${extra[0]}: ${file} was planned without it`, { hint: 'a saved plan is applied with the --var values it was made with: plan again to add one' });
  return out;
}

export function writeSavedPlan(path: string, plan: SavedPlan): void {
  try {
    writeFileAtomic(path, JSON.stringify(plan, null, 1) + '\n', 0o600);
  } catch (e) {
    throw new UsageError(`--out ${path}: cannot write it: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Read and check a saved plan: one clear error for a missing file, another file, or a plan of another keel. */
export function readSavedPlan(path: string): SavedPlan {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${path}: cannot read the plan: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { hint: 'save one with keel plan --out FILE' });
  }
  const notPlan = (why: string) => new ConfigError(`not a plan saved by keel plan --out (${why})`, { pos: { file: path, line: 1, column: 1 }, hint: 'save one with keel plan --out FILE' });
  let plan: SavedPlan;
  try {
    plan = JSON.parse(text) as SavedPlan;
  } catch {
    throw notPlan('not JSON');
  }
  if (!plan || typeof plan !== 'object' || plan.format !== PLAN_FORMAT) throw notPlan(`no "format": "${PLAN_FORMAT}"`);
  if (plan.version !== PLAN_VERSION) throw notPlan(`format version ${JSON.stringify(plan.version)}, this keel reads ${PLAN_VERSION}`);
  if (plan.keel !== KEEL_VERSION) throw new ConfigError(`${path}: planned by keel ${String(plan.keel)}, this is keel ${KEEL_VERSION}`, { hint: 'a plan is applied by the keel that made it: plan again' });
  const validate = compileSchema(PLAN_FILE_SCHEMA);
  if (!validate(plan)) {
    const e = validate.errors?.[0];
    throw notPlan(`${e?.instancePath || 'the file'} ${e?.message ?? 'is not a plan'}`);
  }
  const tampered = reportMismatch(plan);
  if (tampered) throw notPlan(`${tampered}: the file was changed after keel wrote it`);
  return plan;
}

/**
 * Where the report (what `keel show` prints) says something other than the pins (what converge
 * holds the hosts to), or undefined: each pinned host's resources, in order, with the same digest.
 */
function reportMismatch(plan: SavedPlan): string | undefined {
  const reported = new Map(plan.report.hosts.map((h) => [h.host, h]));
  for (const [name, pins] of Object.entries(plan.hosts)) {
    const host = reported.get(name);
    if (!host) return `host ${name} is pinned but not in the report`;
    // a resource skipped by its when: is reported, never pinned (the declarations' digests cover it)
    const shown = host.resources.filter((r) => r.condition === undefined);
    if (shown.length !== pins.resources.length) return `host ${name}: ${shown.length} resources reported, ${pins.resources.length} pinned`;
    const at = shown.findIndex((r, i) => r.id !== pins.resources[i].id || reportDigest(r) !== pins.resources[i].plan);
    if (at >= 0) return `host ${name}, resource ${shown[at].id}: the report is not what was planned`;
  }
  return undefined;
}
