/**
 * Pure helpers of the cron module: schedule validation and the edit of one named entry in a
 * user's crontab. An entry is a marker comment `# keel: <name>` and the job line right below it
 * (Ansible's `#Ansible: <name>` convention); every other line is kept as it is.
 */

export const SPECIAL_SCHEDULES = ['@reboot', '@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'] as const;

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface FieldRule {
  label: string;
  min: number;
  max: number;
  names?: string[];
}

const FIELDS: FieldRule[] = [
  { label: 'minute', min: 0, max: 59 },
  { label: 'hour', min: 0, max: 23 },
  { label: 'day of month', min: 1, max: 31 },
  { label: 'month', min: 1, max: 12, names: MONTHS },
  { label: 'day of week', min: 0, max: 7, names: DAYS },
];

/** Why one field of a 5-field schedule is wrong, or undefined when it is valid (cron(8)/crontab(5) syntax). */
function fieldError(value: string, rule: FieldRule): string | undefined {
  if (rule.names?.includes(value.toLowerCase())) return undefined; // a single name: no lists or ranges of names
  for (const item of value.split(',')) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(item);
    if (!m) return `"${item}" is not a number, a range a-b, * or a step like */5`;
    const [, , lo, hi, step] = m;
    for (const n of [lo, hi]) {
      if (n !== undefined && (Number(n) < rule.min || Number(n) > rule.max)) return `${n} is out of range ${rule.min}-${rule.max}`;
    }
    if (lo !== undefined && hi !== undefined && Number(lo) > Number(hi)) return `range ${lo}-${hi} is backwards`;
    if (step !== undefined && Number(step) === 0) return 'a step cannot be 0';
  }
  return undefined;
}

/** Normalised schedule ("0  3 * * *" -> "0 3 * * *"), or an error message. */
export function checkSchedule(schedule: string): { ok: true; schedule: string } | { ok: false; error: string } {
  const s = schedule.trim();
  if (s.startsWith('@')) {
    return (SPECIAL_SCHEDULES as readonly string[]).includes(s)
      ? { ok: true, schedule: s }
      : { ok: false, error: `unknown special schedule "${s}" (expected one of ${SPECIAL_SCHEDULES.join(', ')})` };
  }
  const parts = s.split(/\s+/);
  if (parts.length !== 5) return { ok: false, error: `expected 5 fields "minute hour day-of-month month day-of-week", got ${parts.length}` };
  for (let i = 0; i < 5; i++) {
    const err = fieldError(parts[i], FIELDS[i]);
    if (err) return { ok: false, error: `${FIELDS[i].label} field: ${err}` };
  }
  return { ok: true, schedule: parts.join(' ') };
}

export const markerLine = (name: string): string => `# keel: ${name}`;

export interface CronEntry {
  schedule: string;
  job: string;
}

/** Split a job line into its schedule and command (5 fields, or one @special). */
export function splitJobLine(line: string): CronEntry {
  // cron splits fields on spaces and tabs only: a job that starts with another (unicode) space keeps it
  const m = line.startsWith('@') ? /^([^ \t]+)[ \t]+(.*)$/s.exec(line) : /^([^ \t]+(?:[ \t]+[^ \t]+){4})[ \t]+(.*)$/s.exec(line);
  if (!m) return { schedule: '', job: line };
  return { schedule: m[1].split(/[ \t]+/).join(' '), job: m[2] };
}

const isJobLine = (line: string | undefined): line is string => line !== undefined && line.trim() !== '' && !line.trimStart().startsWith('#');

function lines(text: string): string[] {
  if (text === '') return [];
  const ls = text.split('\n');
  if (ls[ls.length - 1] === '') ls.pop();
  return ls;
}

/** The entry called `name` in a crontab: undefined when there is no marker. */
export function findEntry(text: string, name: string): { marker: number; job?: string } | undefined {
  const ls = lines(text);
  const marker = ls.findIndex((l) => l.trimEnd() === markerLine(name));
  if (marker < 0) return undefined;
  const next = ls[marker + 1];
  return { marker, job: isJobLine(next) ? next : undefined };
}

/**
 * Pure: the crontab with the entry `name` set to `jobLine`, or removed when `jobLine` is null.
 * A new entry goes at the end. Duplicate markers of the same name (a hand edit) are collapsed.
 * The result ends with a newline, as cron requires.
 */
export function editCrontab(text: string, name: string, jobLine: string | null): string {
  const out: string[] = [];
  const ls = lines(text);
  let placed = false;
  for (let i = 0; i < ls.length; i++) {
    if (ls[i].trimEnd() !== markerLine(name)) {
      out.push(ls[i]);
      continue;
    }
    if (isJobLine(ls[i + 1])) i++; // the entry's job line goes with its marker
    if (jobLine !== null && !placed) out.push(markerLine(name), jobLine);
    placed = true;
  }
  if (jobLine !== null && !placed) out.push(markerLine(name), jobLine);
  return out.length === 0 ? '' : out.join('\n') + '\n';
}
