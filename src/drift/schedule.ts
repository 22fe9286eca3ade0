/**
 * Pure parts of scheduling: cron expression checks (croner), the command line a schedule runs,
 * the crontab job line, the cron -> systemd OnCalendar translation, and the .service/.timer units.
 */
import { createHash } from 'node:crypto';
import { Cron } from 'croner';
import { KeelError } from '../errors.js';
import { shq } from '../shell.js';

/** Nicknames both crontab(5) and croner understand (not @reboot: a drift check needs a period). */
const NICKNAMES = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

/**
 * Check a 5-field cron expression (or @daily...) with croner; `allowSeconds` also accepts
 * croner's 6-field form with seconds (for --every, which croner runs itself). Returns it
 * normalised; throws a KeelError naming the expression and what is wrong.
 */
export function checkCronExpression(expr: string, flag: string, opts: { allowSeconds?: boolean } = {}): string {
  const e = expr.trim().replace(/\s+/g, ' ');
  const fields = e.startsWith('@') ? 1 : e.split(' ').length;
  const bad = (why: string) => new KeelError('E_USAGE', `${flag} ${JSON.stringify(expr)}: ${why}`, { hint: 'five fields "minute hour day-of-month month day-of-week", e.g. "*/30 * * * *", or @hourly/@daily/@weekly/@monthly/@yearly' });
  if (e.startsWith('@') && !NICKNAMES.includes(e)) throw bad(`unknown nickname ${e}`);
  if (!e.startsWith('@') && fields !== 5 && !(opts.allowSeconds && fields === 6)) {
    throw bad(`expected 5 fields${opts.allowSeconds ? ' (or 6 with seconds first)' : ''}, got ${fields}`);
  }
  try {
    const job = new Cron(e, { paused: true });
    const next = job.nextRun();
    job.stop();
    if (!next) throw bad('it never fires');
  } catch (err) {
    if (err instanceof KeelError) throw err;
    throw bad((err as Error).message.replace(/^CronPattern: /, ''));
  }
  return e;
}

export interface DriftInvocation {
  /** node, its flags (e.g. --import tsx), keel's entry script: how this keel was started. */
  node: string;
  execArgv: string[];
  script: string;
  /** Absolute inventory path; the other fields are the run's flags to repeat. */
  inventory: string;
  stateDir: string;
  limit?: string;
  tags?: string;
  vars: string[];
  forks?: number;
  retentionDays?: number;
  metricsFile?: string;
  /** --history: a PostgreSQL URL (no password) or a history file. */
  history?: string;
  lockTimeout?: number;
  logLevel?: string;
}

/** argv of the scheduled `keel drift` run (absolute paths only: cron starts in $HOME). */
export function driftArgv(inv: DriftInvocation): string[] {
  const a = [inv.node, ...inv.execArgv.filter((x) => !/^--inspect/.test(x)), inv.script, 'drift', '-i', inv.inventory];
  if (inv.limit) a.push('-l', inv.limit);
  if (inv.tags) a.push('-t', inv.tags);
  for (const v of inv.vars) a.push('--var', v);
  if (inv.forks !== undefined && inv.forks !== 20) a.push('--forks', String(inv.forks));
  a.push('--state-dir', inv.stateDir);
  if (inv.retentionDays !== undefined) a.push('--retention-days', String(inv.retentionDays));
  if (inv.metricsFile) a.push('--metrics-file', inv.metricsFile);
  if (inv.history) a.push('--history', inv.history);
  if (inv.lockTimeout) a.push('--lock-timeout', String(inv.lockTimeout));
  if (inv.logLevel && inv.logLevel !== 'warn') a.push('--log-level', inv.logLevel);
  return scheduleWords(a);
}

/**
 * A crontab entry and a unit's ExecStart are one line each: a line break in a word (a --var
 * value) would end it and start a directive or another cron job of the caller's choosing.
 */
function scheduleWords(words: string[]): string[] {
  const i = words.findIndex((w) => /[\x00-\x1f\x7f]/.test(w));
  if (i >= 0) {
    // name the flag (and a --var's name), never the value: it may be a secret
    const what = words[i - 1] === '--var' ? `--var ${words[i].split('=')[0]}` : words[i - 1]?.startsWith('-') ? words[i - 1] : 'a path';
    throw new KeelError('E_USAGE', `cannot schedule this run: the value of ${what} contains a line break or another control character`, {
      hint: 'a scheduled run is one line of a crontab or a unit file: put multi-line values in the inventory, not in --var',
    });
  }
  return words;
}

/**
 * The marker name of the crontab entry: one entry per inventory + limit + tags, so installing
 * again with other vars or another schedule updates it, and --uninstall-cron finds it.
 */
export function cronEntryName(inv: Pick<DriftInvocation, 'inventory' | 'limit' | 'tags'>): string {
  const what = [inv.inventory, inv.limit && `-l ${inv.limit}`, inv.tags && `-t ${inv.tags}`].filter(Boolean).join(' ');
  return `drift ${what}`.replace(/[\r\n]/g, ' ');
}

export const CRON_LOG = 'drift-cron.log';

/**
 * The crontab job: owner-only files, make the state dir, run keel, append stdout+stderr to a log in the state dir.
 * Every word is shell-quoted; `%` (a newline to cron) is escaped as `\%`.
 */
export function cronJobLine(inv: DriftInvocation): string {
  const log = `${inv.stateDir}/${CRON_LOG}`;
  // umask 077: the log (and history) the job creates are its user's alone
  const cmd = `umask 077 && mkdir -p ${shq(inv.stateDir)} && ${driftArgv(inv).map(shq).join(' ')} >>${shq(log)} 2>&1`;
  return cmd.replace(/%/g, '\\%');
}

const shortHash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 8);

/** systemd unit name (without suffix) for this invocation. */
export function timerUnitName(inv: Pick<DriftInvocation, 'inventory' | 'limit' | 'tags'>): string {
  return `keel-drift-${shortHash(cronEntryName(inv))}`;
}

const DOW = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const SIMPLE_NICK: Record<string, string> = { '@hourly': 'hourly', '@daily': 'daily', '@midnight': 'daily', '@weekly': 'weekly', '@monthly': 'monthly', '@yearly': 'yearly', '@annually': 'yearly' };

/** Does this look like a cron expression (rather than a systemd OnCalendar one)? */
export function looksLikeCron(expr: string): boolean {
  const e = expr.trim();
  if (e.startsWith('@')) return true;
  const f = e.split(/\s+/);
  return f.length === 5 && f.every((x) => /^[\d*/,a-zA-Z-]+$/.test(x)) && !/[.:]/.test(e);
}

/**
 * Translate a cron expression to systemd's OnCalendar. Handles numbers, lists, ranges, `*` and
 * `*\/n` steps in each field and the @nicknames; refuses what systemd cannot say the same way
 * (a range with a step; day-of-month AND day-of-week, which cron ORs and systemd ANDs).
 */
export function cronToOnCalendar(expr: string): string {
  const e = checkCronExpression(expr, '--systemd-timer');
  if (e.startsWith('@')) return SIMPLE_NICK[e];
  const [min, hour, dom, mon, dow] = e.split(' ');
  const cannot = (why: string) => new KeelError('E_USAGE', `--systemd-timer ${JSON.stringify(expr)}: cannot translate to OnCalendar: ${why}`, { hint: 'write a systemd calendar expression instead, e.g. "Mon..Fri *-*-* 09:00" (see systemd.time(7))' });
  if (dom !== '*' && dow !== '*') throw cannot('cron runs when day-of-month OR day-of-week matches; systemd requires both');
  const field = (v: string, start: number, names?: (n: string) => string | undefined, pad = 2): string => {
    if (v === '*') return '*';
    return v
      .split(',')
      .map((item) => {
        const step = /^\*\/(\d+)$/.exec(item);
        if (step) return `${String(start).padStart(pad, '0')}/${step[1]}`;
        if (item.includes('/')) throw cannot(`step on a range (${item})`);
        const [lo, hi] = item.split('-');
        const one = (x: string) => names?.(x) ?? (/^\d+$/.test(x) ? x.padStart(pad, '0') : (() => { throw cannot(`"${x}"`); })());
        return hi === undefined ? one(lo) : `${one(lo)}..${one(hi)}`;
      })
      .join(',');
  };
  const dowName = (x: string) => (/^\d$/.test(x) ? DOW[Number(x)] : DOW.find((d) => d.toLowerCase() === x.toLowerCase()));
  const monNum = (x: string) => (MONTHS.includes(x.toLowerCase()) ? String(MONTHS.indexOf(x.toLowerCase()) + 1).padStart(2, '0') : undefined);
  const days = dow === '*' ? '' : `${field(dow, 0, dowName)} `;
  return `${days}*-${field(mon, 1, monNum)}-${field(dom, 1)} ${field(hour, 0)}:${field(min, 0)}:00`;
}

/** Quote one ExecStart word for systemd (specifiers % and variables $ are escaped). */
export function systemdQuote(word: string): string {
  const w = word.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `"${w.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export interface TimerUnits {
  name: string;
  service: string;
  timer: string;
}

/**
 * The .service (oneshot; exit 2 = drift counts as success, so only errors mark the unit failed)
 * and the .timer (Persistent: a run missed while the machine was off happens at boot).
 */
export function systemdUnits(inv: DriftInvocation, onCalendar: string, user?: string): TimerUnits {
  const name = timerUnitName(inv);
  const what = `${inv.inventory}${inv.limit ? ` -l ${inv.limit}` : ''}`;
  const service = [
    '[Unit]',
    `Description=keel drift check of ${what}`,
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=oneshot',
    ...(user ? [`User=${user}`] : []),
    `ExecStart=${driftArgv(inv).map(systemdQuote).join(' ')}`,
    // 2 means "drift found": the check worked; 1 (an error) marks the unit failed
    'SuccessExitStatus=2',
    '',
  ].join('\n');
  const timer = [
    '[Unit]',
    `Description=keel drift check of ${what}, on a schedule`,
    '',
    '[Timer]',
    `OnCalendar=${onCalendar}`,
    'Persistent=true',
    `Unit=${name}.service`,
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
  ].join('\n');
  return { name, service, timer };
}
