/**
 * How keel talks to PostgreSQL: psql as the postgres OS user over the local socket (peer
 * authentication), SQL always on standard input — never in argv, where `ps` would show it.
 */
import { KeelError } from '../../src/errors.js';
import type { ProbeOutput } from '../../src/module.js';
import { shq } from '../../src/shell.js';

/** psql as postgres: no psqlrc, unaligned tuples only, stop at the first error. Run it from `/`. */
export const PSQL = 'runuser -u postgres -- psql -X -q -A -t -v ON_ERROR_STOP=1 -v VERBOSITY=terse -d postgres';

/** Lines that stop the script with `onMissing(status)` when no server can answer. */
function readyCheck(onMissing: (s: Exclude<PgStatus, 'ready'>) => string): string {
  return [
    `command -v psql >/dev/null 2>&1 || { ${onMissing('no-client')}; }`,
    `id -u postgres >/dev/null 2>&1 || { ${onMissing('no-server')}; }`,
    `if command -v pg_isready >/dev/null 2>&1; then pg_isready -q >/dev/null 2>&1 || { ${onMissing('down')}; }; fi`,
  ].join('\n');
}

/** Prints `pg=no-client`, `pg=no-server` or `pg=down` and exits 0 when no server can answer. */
export const PG_READY_CHECK = readyCheck((s) => `echo pg=${s}; exit 0`);

/**
 * A read-only probe: `pg=ready` then the rows of `query` (one JSON object per line, so names
 * with any character survive). The query travels on psql's stdin.
 */
export function psqlProbe(query: string): string {
  return ['LC_ALL=C; export LC_ALL', 'cd /', PG_READY_CHECK, 'echo pg=ready', `printf '%s\\n' ${shq(query)} | ${PSQL}`].join('\n');
}

export type PgStatus = 'ready' | 'no-client' | 'no-server' | 'down';

export interface PgProbe<Row> {
  status: PgStatus;
  rows: Row[];
}

export function parsePsqlProbe<Row>(what: string, out: Pick<ProbeOutput, 'code' | 'text' | 'stderr'>): PgProbe<Row> {
  const lines = out.text.split('\n');
  const status = lines[0]?.replace(/^pg=/, '') as PgStatus;
  if (out.code !== 0 || !lines[0]?.startsWith('pg=') || !['ready', 'no-client', 'no-server', 'down'].includes(status)) {
    const err = out.stderr.toString('utf8').trim();
    throw new KeelError('E_PROBE', `probe of ${what} failed (exit ${out.code})${err ? `: ${err}` : ''}`);
  }
  const rows = lines.slice(1).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Row);
  return { status, rows };
}

const STATUS_TEXT: Record<Exclude<PgStatus, 'ready'>, string> = {
  'no-client': 'psql is not installed',
  'no-server': 'PostgreSQL is not installed (no postgres user)',
  down: 'PostgreSQL is not running',
};

/**
 * The script apply runs with the SQL on stdin: it fails with a clear message when the server
 * is not there (the plan was made while PostgreSQL was still to be installed or started).
 */
export function psqlApplyScript(): string {
  const check = readyCheck((s) => `echo ${shq(pgNotReadyText(s))} >&2; exit 1`);
  return ['LC_ALL=C; export LC_ALL', 'cd /', check, PSQL].join('\n');
}

export function pgNotReadyText(status: Exclude<PgStatus, 'ready'>): string {
  return `${STATUS_TEXT[status]} on the host`;
}
