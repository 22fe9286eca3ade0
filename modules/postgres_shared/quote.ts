/**
 * SQL quoting for statements keel sends to psql, as PostgreSQL's own quote_ident and
 * quote_literal do. Every identifier and literal keel writes into SQL goes through here.
 */
import { ConfigError } from '../../src/errors.js';

function noNul(s: string, what: string): void {
  if (s.includes('\0')) throw new ConfigError(`a PostgreSQL ${what} cannot contain a NUL character`);
}

/** An identifier, always double-quoted (so its case is kept): a"b -> "a""b". */
export function quoteIdent(name: string): string {
  noNul(name, 'identifier');
  if (name === '') throw new ConfigError('a PostgreSQL identifier cannot be empty');
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * A string literal: quotes doubled; with a backslash, an E'' literal with backslashes doubled,
 * so the value is the same whatever standard_conforming_strings says.
 */
export function quoteLiteral(value: string): string {
  noNul(value, 'string');
  const q = value.replace(/'/g, "''");
  return value.includes('\\') ? `E'${q.replace(/\\/g, '\\\\')}'` : `'${q}'`;
}
