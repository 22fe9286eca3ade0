/**
 * Errors as data: what `--json` prints on stdout when a command fails before it has a report
 * (bad input, a bad flag, an unreadable inventory). Its JSON Schema is docs/errors.schema.json;
 * keep the two in step. One entry per error, in the order the text form lists them.
 */
import { isKeelError, ConfigErrors, type KeelError } from '../errors.js';

export interface ErrorEntry {
  /** E_CONFIG, E_USAGE, E_CYCLE, ... (E_INTERNAL: not one of keel's own errors, a bug to report). */
  code: string;
  message: string;
  file?: string;
  /** 1-based; absent when the place is a path in output with no lines (see `path`). */
  line?: number;
  column?: number;
  /** A place inside a document with no lines worth showing: `hosts.web1.port` of a script's JSON. */
  path?: string;
  host?: string;
  resource?: string;
  hint?: string;
}

export interface ErrorDocument {
  errors: ErrorEntry[];
}

export function errorDocument(e: unknown): ErrorDocument {
  const list: unknown[] = e instanceof ConfigErrors ? e.errors : [e];
  return { errors: list.map(entry) };
}

function entry(e: unknown): ErrorEntry {
  if (!isKeelError(e)) return { code: 'E_INTERNAL', message: e instanceof Error ? e.message : String(e) };
  const k: KeelError = e;
  const out: ErrorEntry = { code: k.code, message: k.message };
  if (k.pos) {
    out.file = k.pos.file;
    if (k.pos.path !== undefined) out.path = k.pos.path;
    else if (k.pos.line >= 1) {
      out.line = k.pos.line;
      out.column = Math.max(1, k.pos.column);
    }
  }
  if (k.host) out.host = k.host;
  if (k.resource) out.resource = k.resource;
  if (k.hint) out.hint = k.hint;
  return out;
}
