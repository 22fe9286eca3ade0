/** One line per error: `file:line:column: message` (plus its hint), the form users read. */
import { ConfigError, ConfigErrors, KeelError } from '../errors.js';

/** Flatten nested ConfigErrors. */
export function flattenErrors(errs: Iterable<unknown>): KeelError[] {
  const out: KeelError[] = [];
  for (const e of errs) {
    if (e instanceof ConfigErrors) out.push(...flattenErrors(e.errors));
    else if (e instanceof KeelError) out.push(e);
    else out.push(new KeelError('E_INTERNAL', e instanceof Error ? e.message : String(e), { cause: e }));
  }
  return out;
}

/** The same message at the same place once (a shorthand list or many hosts repeat errors). */
export function dedupeErrors(errs: Iterable<unknown>): KeelError[] {
  const seen = new Set<string>();
  return flattenErrors(errs).filter((e) => {
    const key = `${e.pos ? `${e.pos.file}:${e.pos.line}:${e.pos.column}` : ''}\0${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Errors without a position first, then by file (first seen first), line and column. Stable. */
export function sortErrors(errs: readonly KeelError[]): KeelError[] {
  const files = new Map<string, number>();
  for (const e of errs) if (e.pos && !files.has(e.pos.file)) files.set(e.pos.file, files.size);
  const key = (e: KeelError) => (e.pos ? [files.get(e.pos.file)!, e.pos.line, e.pos.column] : [-1, 0, 0]);
  return errs
    .map((e, i) => ({ e, i, k: key(e) }))
    .sort((a, b) => a.k[0] - b.k[0] || a.k[1] - b.k[1] || a.k[2] - b.k[2] || a.i - b.i)
    .map((x) => x.e);
}

export function formatErrors(errs: KeelError | Iterable<KeelError>): string {
  const list = errs instanceof KeelError ? [errs] : [...errs];
  return flattenErrors(list)
    .map((e) => e.format())
    .join('\n');
}

/** The error as it is, said of one host. */
export function withHost(e: KeelError, host: string): KeelError {
  return new ConfigError(e.message, { pos: e.pos, hint: e.hint, host, cause: e.cause });
}
