import { unifiedPatch } from '../shared/patch.js';
import { ConfigError, KeelError } from '../../src/errors.js';
import type { BaseSpec, Change, Plan, PlanContext, ProbeOutput, ResourceModule } from '../../src/module.js';
import { shq } from '../../src/shell.js';
import { checkSchedule, editCrontab, findEntry, splitJobLine } from './crontab.js';

export interface CronSpec extends BaseSpec {
  user?: string;
  schedule?: string;
  job?: string;
  state?: 'present' | 'absent';
}

export interface CronState {
  /** ok: `crontab` is the user's crontab ('' when there is none). */
  status: 'ok' | 'no-crontab-command' | 'no-user';
  crontab: string;
}

export interface CronSteps {
  user: string;
  name: string;
  /** The entry's job line, or null to remove the entry. */
  line: string | null;
}

const doc = `Manages one named entry of a user's crontab (crontab -u USER). The name identifies the
entry: keel writes a marker comment \`# keel: <name>\` directly above the job line (as Ansible
does with \`#Ansible: <name>\`) and leaves every other line of the crontab as it is.

Parameters:
- user (string, default root): whose crontab.
- schedule (string, required with state present): five fields "minute hour day-of-month month
  day-of-week" (numbers, ranges a-b, lists a,b, steps */n; a single name like mon or jan), or
  one of @reboot @yearly @annually @monthly @weekly @daily @midnight @hourly. Validated.
- job (string, required with state present): the command line, run by cron with /bin/sh. A
  \`%\` in it is turned into a newline by cron: write \`\\%\` for a literal percent sign. One line
  and no backspace (U+0008) in it or in the name: \`crontab -l\` shows a backspace as "\\b", so
  keel could not read the entry back as written. It may not start with \`*\`: Debian's crontab
  refuses such a line ("bad command"). Leading spaces and tabs are dropped (cron reads
  them as the separator); every other byte lands as written.
- state (present | absent, default present): absent removes the marker and its job line.

The plan shows a unified diff of the crontab. The new crontab is installed with \`crontab -u
USER -\` fed on standard input (atomic; cron picks it up at once). The crontab command comes with
the cron package: the plan fails when it is missing unless \`pkg:cron\` changes in the same run.
The user is required automatically when it is declared.

Example:
\`\`\`yaml
- cron: backup
  user: app
  schedule: "30 2 * * *"
  job: /srv/app/bin/backup >/var/log/app-backup.log 2>&1
- cron: cleanup
  schedule: "@daily"
  job: find /tmp/app -mtime +7 -delete
- cron: old-report
  user: app
  state: absent
\`\`\``;

const userOf = (spec: CronSpec): string => spec.user ?? 'root';

function validate(spec: CronSpec): { schedule: string; job: string } | undefined {
  const resource = `cron:${spec.name}`;
  if (/[\r\n]/.test(spec.name)) throw new ConfigError('cron: an entry name cannot contain a line break', { resource });
  if ((spec.state ?? 'present') === 'absent') return undefined;
  if (spec.schedule === undefined || spec.job === undefined) {
    throw new ConfigError(`cron ${spec.name}: schedule and job are required when state is present`, { resource });
  }
  const s = checkSchedule(spec.schedule);
  if (!s.ok) throw new ConfigError(`cron ${spec.name}: invalid schedule "${spec.schedule}": ${s.error}`, { resource });
  if (/[\r\n]/.test(spec.job) || spec.job.trim() === '') {
    throw new ConfigError(`cron ${spec.name}: job must be one non-empty line`, { resource });
  }
  // leading spaces and tabs would read back as part of the separator; any other byte is kept
  return { schedule: s.schedule, job: spec.job.replace(/^[ \t]+/, '') };
}

/** Read-only: prints `crontab=<status>` then the crontab itself. Also used by apply to re-read. */
export function crontabProbe(user: string): string {
  return [
    'LC_ALL=C; export LC_ALL',
    `command -v crontab >/dev/null 2>&1 || { echo crontab=no-crontab-command; exit 0; }`,
    `u=${shq(user)}`,
    `id -u "$u" >/dev/null 2>&1 || { echo crontab=no-user; exit 0; }`,
    'echo crontab=ok',
    // The crontab goes straight to stdout (fd 3); only its stderr is captured.
    '{ e=$(crontab -u "$u" -l 2>&1 >&3); r=$?; } 3>&1',
    'if [ "$r" -ne 0 ]; then',
    '  case $e in "no crontab for "*) exit 0 ;; esac',
    '  printf "%s\\n" "$e" >&2; exit "$r"',
    'fi',
  ].join('\n');
}

export function parseCrontabProbe(user: string, out: Pick<ProbeOutput, 'code' | 'text' | 'stderr'>): CronState {
  const nl = out.text.indexOf('\n');
  const head = nl < 0 ? out.text : out.text.slice(0, nl);
  const status = head.replace(/^crontab=/, '');
  if (out.code !== 0 || !head.startsWith('crontab=') || !['ok', 'no-crontab-command', 'no-user'].includes(status)) {
    const err = out.stderr.toString('utf8').trim();
    throw new KeelError('E_PROBE', `reading the crontab of ${user} failed (exit ${out.code})${err ? `: ${err}` : ''}`);
  }
  return { status: status as CronState['status'], crontab: nl < 0 ? '' : out.text.slice(nl + 1) };
}

const withNewline = (t: string): string => (t === '' || t.endsWith('\n') ? t : t + '\n');

function currentText(spec: CronSpec, cur: CronState, ctx: PlanContext): string {
  const user = userOf(spec);
  if (cur.status === 'no-crontab-command' && !ctx.changed('pkg:cron')) {
    throw new KeelError('E_MISSING_TOOL', 'crontab is not installed on the host: add `pkg: cron` and require it', {
      resource: `cron:${spec.name}`,
    });
  }
  if (cur.status === 'no-user' && (spec.state ?? 'present') === 'present' && !ctx.changed(`user:${user}`)) {
    throw new KeelError('E_MISSING_USER', `user ${user} does not exist on the host`, {
      resource: `cron:${spec.name}`,
      hint: `declare \`user: ${user}\` in the states`,
    });
  }
  return cur.status === 'ok' ? cur.crontab : '';
}

export function planCron(spec: CronSpec, cur: CronState, ctx: PlanContext): Plan<CronSteps> {
  const want = validate(spec);
  const user = userOf(spec);
  const before = withNewline(currentText(spec, cur, ctx));
  const line = want ? `${want.schedule} ${want.job}` : null;
  const after = editCrontab(before, spec.name, line);
  if (after === before) return { action: 'none', changes: [] };

  const entry = findEntry(before, spec.name);
  const old = entry?.job !== undefined ? splitJobLine(entry.job) : undefined;
  let action: Plan['action'];
  const changes: Change[] = [];
  if (!want) {
    action = 'delete';
    changes.push({ field: 'state', from: 'present', to: 'absent' });
  } else if (!entry) {
    action = 'create';
    changes.push({ field: 'state', from: 'absent', to: 'present' }, { field: 'schedule', from: null, to: want.schedule }, { field: 'job', from: null, to: want.job });
  } else {
    action = 'update';
    if (old?.schedule !== want.schedule) changes.push({ field: 'schedule', from: old?.schedule ?? null, to: want.schedule });
    if (old?.job !== want.job) changes.push({ field: 'job', from: old?.job ?? null, to: want.job });
    if (changes.length === 0) changes.push({ field: 'entries', from: 'duplicated', to: 'one' });
  }
  const diff = unifiedPatch(`a/crontab (${user})`, `b/crontab (${user})`, before, after);
  return { action, changes, diff, steps: { user, name: spec.name, line } };
}

export const cronModule: ResourceModule<CronSpec, CronState, CronSteps> = {
  kind: 'cron',
  doc,
  schema: {
    type: 'object',
    properties: {
      // the name is kept in a marker comment that crontab rewrites without edge whitespace:
      // "backup " would never be found again, and a new entry be added on every run.
      // No backspace either: Debian's `crontab -l` prints it as the two characters "\b".
      name: {
        type: 'string',
        minLength: 1,
        pattern: '^(?!\\s)[^\\r\\n\\u0000\\u0008]*(?<!\\s)$',
        title: 'one line with no whitespace at either end and no backspace',
        description: 'The entry\'s name (the resource name): one line, no whitespace at either end, no backspace.',
      },
      user: { type: 'string', pattern: '^[a-z_][a-z0-9_-]{0,30}\\$?$', default: 'root', description: 'Whose crontab the entry is in.' },
      schedule: {
        type: 'string',
        pattern: '^\\s*(@[a-z]+|\\S+\\s+\\S+\\s+\\S+\\s+\\S+\\s+\\S+)\\s*$',
        description: 'When to run: "minute hour day-of-month month day-of-week" or @reboot, @hourly, @daily, @weekly, @monthly, @yearly.',
      },
      job: {
        type: 'string',
        minLength: 1,
        // Debian's crontab refuses a job line whose command starts with "*" ("bad command")
        pattern: '^(?![ \\t]*\\*)[^\\r\\n\\u0008]+$',
        title: 'one line that does not start with *, with no backspace',
        description: 'The command line (one line, not starting with *, no backspace; write \\% for a literal %).',
      },
      state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'Whether the entry is in the crontab.' },
    },
    additionalProperties: false,
  },

  autoRequires: (spec) => [`user:${userOf(spec)}`],

  prepare(spec) {
    validate(spec);
    return spec;
  },

  probe: (spec) => crontabProbe(userOf(spec)),
  parse: (spec, out) => parseCrontabProbe(userOf(spec), out),
  plan: (spec, cur, _facts, ctx) => planCron(spec, cur, ctx),

  async apply(ctx, plan) {
    const steps = plan.steps;
    if (!steps) return;
    // Re-read the crontab: another entry of the same user may have been applied since the probe.
    const text = await ctx.run(crontabProbe(steps.user));
    const fresh = parseCrontabProbe(steps.user, { code: 0, text, stderr: Buffer.alloc(0) });
    if (fresh.status !== 'ok') {
      throw new KeelError('E_APPLY', fresh.status === 'no-user' ? `user ${steps.user} does not exist on the host` : 'crontab is not installed on the host');
    }
    const before = withNewline(fresh.crontab);
    const after = editCrontab(before, steps.name, steps.line);
    if (after !== before) await ctx.run(`crontab -u ${shq(steps.user)} -`, { stdin: after });
  },
};
