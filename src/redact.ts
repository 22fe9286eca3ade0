/** Values of secrets replaced by "(sensitive)" in any text keel shows: one place, for every layer. */

import { ConfigError, type KeelError } from './errors.js';

export const REDACTED = '(sensitive)';

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

/** A config error with the secrets taken out of its message and hint (a schema error quotes the value it found). */
export function withoutSecrets(e: KeelError, secrets: readonly string[]): KeelError {
  const message = redactSecrets(e.message, secrets);
  const hint = e.hint === undefined ? undefined : redactSecrets(e.hint, secrets);
  if (message === e.message && hint === e.hint) return e;
  return new ConfigError(message, { pos: e.pos, host: e.host, resource: e.resource, hint });
}

/** The names of the `--var k=v` arguments whose value holds one of `secrets`. */
export function varsWithSecrets(args: readonly string[], secrets: readonly string[]): string[] {
  return args.filter((arg) => {
    const value = arg.slice(arg.indexOf('=') + 1);
    return redactSecrets(value, secrets) !== value;
  }).map((arg) => arg.split('=')[0]);
}
