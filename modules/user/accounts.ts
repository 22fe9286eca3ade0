/**
 * What the user and group modules share: the account-name rule, the key=value probe output
 * reader, and the "script" steps both apply with one ctx.run.
 */
import { ConfigError, KeelError } from '../../src/errors.js';
import type { ProbeOutput } from '../../src/module.js';

/** Debian's default NAME_REGEX (useradd/groupadd), with the 32-character limit. */
export const ACCOUNT_NAME = /^[a-z_][a-z0-9_-]{0,30}\$?$/;

export const accountNameSchema = {
  type: 'string',
  pattern: '^[a-z_][a-z0-9_-]{0,30}\\$?$',
  description: 'A group name: lower case letters, digits, "_" and "-", starting with a letter or "_".',
} as const;

export function assertAccountName(kind: string, name: string): void {
  if (!ACCOUNT_NAME.test(name)) {
    throw new ConfigError(`${kind}: "${name}" is not a valid name`, {
      resource: `${kind}:${name}`,
      hint: 'use lower case letters, digits, "_" and "-", starting with a letter or "_" (at most 32 characters)',
    });
  }
}

/** Lines of `key=value`; the first `=` splits. A probe that failed throws with its stderr. */
export function readKeyValues(what: string, out: Pick<ProbeOutput, 'code' | 'text' | 'stderr'>): Map<string, string> {
  if (out.code !== 0) {
    const err = out.stderr.toString('utf8').trim();
    throw new KeelError('E_PROBE', `probe of ${what} failed (exit ${out.code})${err ? `: ${err}` : ''}`);
  }
  const kv = new Map<string, string>();
  for (const line of out.text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) kv.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return kv;
}

/** Steps of modules whose whole apply is one shell script computed by the pure plan. */
export interface ScriptSteps {
  script: string;
}
