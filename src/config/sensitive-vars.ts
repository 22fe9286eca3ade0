/** `sensitive_vars`: which variables hold secrets, checked against the variables that exist. */
import { ConfigError, type SourcePos } from '../errors.js';
import { didYouMean } from './suggest.js';
import { isPlainObject, type Vars } from './vars.js';

/**
 * An entry that names no variable would leave the secret it was meant for unredacted everywhere:
 * each one is an error at its own line, with the closest variable name.
 */
export function unknownSensitiveVars(names: unknown, known: ReadonlySet<string>, posOf: (index: number) => SourcePos): ConfigError[] {
  if (!Array.isArray(names)) return [];
  return names.flatMap((name, i) =>
    typeof name !== 'string' || known.has(name)
      ? []
      : [
          new ConfigError(`sensitive_vars: no variable named "${name}"${didYouMean(name, known)}`, {
            pos: posOf(i),
            hint: 'list names of variables defined under vars (inventory, group or host) or given with --var; an unknown name redacts nothing',
          }),
        ],
  );
}

/** The values of the variables named in `sensitive_vars` (nested values too) and `more` (decrypted values), longest first. */
export function secretValues(vars: Vars, names: unknown, more: readonly string[] = []): string[] {
  const out = new Set<string>();
  const add = (v: unknown): void => {
    if (typeof v === 'string' || typeof v === 'number') {
      // very short values would redact ordinary text all over a report
      if (String(v).length >= 4) out.add(String(v));
      // a multi-line secret (a private key) shows up line by line in a diff: redact each line too
      for (const line of String(v).split('\n')) if (line.trim().length >= 8) out.add(line.trim());
    } else if (Array.isArray(v)) v.forEach(add);
    else if (isPlainObject(v)) Object.values(v).forEach(add);
  };
  for (const name of Array.isArray(names) ? names : []) add(vars[String(name)]);
  more.forEach(add);
  return [...out].sort((a, b) => b.length - a.length);
}
