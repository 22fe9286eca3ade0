/** Times on the command line: `--since 2d`, `--since 90m`, or an ISO date/time. */
import { KeelError } from '../errors.js';

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** An ISO timestamp for `value`: a duration ago (`30m`, `12h`, `2d`, `1w`) or a date/time. */
export function parseWhen(value: string, flag: string, now = new Date()): string {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$/.exec(value);
  if (m) return new Date(now.getTime() - Number(m[1]) * UNITS[m[2]] * 1000).toISOString();
  // A bare date or a date-time without zone is the controller's local time, as `date` prints it.
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value.trim()) ? `${value.trim()}T00:00:00` : value);
  if (Number.isNaN(t)) {
    throw new KeelError('E_USAGE', `${flag} ${JSON.stringify(value)}: expected a duration ago (30m, 12h, 2d, 1w) or a date/time (2026-11-25, 2026-11-25T10:00:00Z)`);
  }
  return new Date(t).toISOString();
}

/** 3725 -> "1h2m", 90061 -> "1d1h". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d) return `${d}d${h ? `${h}h` : ''}`;
  if (h) return `${h}h${m ? `${m}m` : ''}`;
  return `${m}m`;
}
