import { posix } from 'node:path';
import { CommandError, ConfigError } from '../../src/errors.js';
import type { ApplyContext, BaseSpec, Change, Plan, ResourceModule } from '../../src/module.js';
import { shq } from '../../src/shell.js';
import { ownerSchema } from '../shared/index.js';
import { wrapScript } from './wrap.js';

export { wrapScript };

export interface CommandSpec extends BaseSpec {
  run: string;
  cwd?: string;
  user?: string;
  env?: Record<string, string | number | boolean>;
  creates?: string;
  unless?: string;
  onlyif?: string;
  onchanges?: string[];
  timeout?: number;
  refresh?: 'run';
}

/** Which check decided, as the probe found it. */
export type Guard = 'creates' | 'unless' | 'onlyif' | 'none' | 'cwd-missing' | 'user-missing';
export interface CommandState {
  guard: Guard;
}
export interface CommandSteps {
  script: string;
  timeoutSec?: number;
}

/** Bound on each unless/onlyif check inside the probe, so one hung check cannot stall a host. */
export const GUARD_TIMEOUT_SEC = 60;

const doc = `Runs a shell command when its guards say it is needed. The name is a label.

Parameters:
- run (string, required): a POSIX sh script, run with /bin/sh -c.
- cwd (string): directory to run in.
- user (string): run as this user (through su); keel must run as root (become).
- env (map of strings): environment variables for the command and its checks. Values and the
  script travel to the shell on a pipe, never in a command line: \`ps\` on the host shows neither.
- creates (path): skip when this path exists (relative paths resolve from cwd).
- unless (sh script): skip when it exits 0.
- onlyif (sh script): run only when it exits 0.
- onchanges (list of resource ids): run only when one of them changed in this run; plan shows
  the command as running if they do.
- timeout (seconds): kill the command after this long (the run fails).
- refresh (run): a watch or notify that fires runs the command, even when its guards say it
  need not run. Without creates, unless, onlyif and onchanges such a command is a handler: it
  runs only when notified, once per converge however many of its triggers changed, and is in
  sync otherwise. A watch or notify on a command without refresh: run is an error.

unless and onlyif run during plan and drift, with the command's cwd, user and env and no
input: they must only read, never change anything, and finish quickly (each is stopped after
${GUARD_TIMEOUT_SEC} s). A command with no guard (creates, unless, onlyif, onchanges) and no refresh runs on EVERY
converge and always shows as a change: give every command a guard. Once anything was applied on
the host in this converge, the guards are checked again right before the command runs (two
commands with the same creates run once). After a run, keel checks that creates or unless now
holds, else the command fails with "the command ran, its guard still fails: fix the guard or
the command"; commands guarded only by onlyif or onchanges cannot be checked.
A non-zero exit fails the resource and reports the last lines of stderr.

Example:
<!-- docs-test: {"vars": {"app_root": "/srv/app"}, "also": "- git: /srv/app\\n  repo: https://git.example.com/app.git\\n- file: /etc/app/workers.conf\\n- file: /etc/app/queues.conf\\n"} -->
\`\`\`yaml
- command: migrate
  run: python3 manage.py migrate --noinput
  cwd: "{{ app_root }}"
  user: app
  env: {DJANGO_SETTINGS_MODULE: app.settings}
  onchanges: ["git:{{ app_root }}"]
- command: reload-workers
  run: /usr/local/bin/reload-workers
  refresh: run               # a handler: runs only when a watched file changed
  watch: ["file:/etc/app/workers.conf", "file:/etc/app/queues.conf"]
- command: init-db
  run: /usr/local/bin/init-db
  creates: /var/lib/app/.initialised
\`\`\``;

function createsPath(spec: CommandSpec): string | undefined {
  if (spec.creates === undefined) return undefined;
  return posix.isAbsolute(spec.creates) ? spec.creates : posix.join(spec.cwd ?? '/', spec.creates);
}

/** What must be true once `run` has run, for the guard to hold. */
function guardHint(spec: CommandSpec): string {
  const must: string[] = [];
  if (spec.creates !== undefined) must.push(`${createsPath(spec)} must exist`);
  if (spec.unless !== undefined) must.push(`unless (${spec.unless}) must exit 0`);
  return `after run, ${must.join(' and ')}`;
}

export const commandModule: ResourceModule<CommandSpec, CommandState, CommandSteps> = {
  kind: 'command',
  doc,
  schema: {
    type: 'object',
    properties: {
      run: { type: 'string', minLength: 1, description: 'POSIX sh script to run (/bin/sh -c).' },
      cwd: { type: 'string', pattern: '^/', description: 'Absolute directory to run in (and to resolve creates from).' },
      // su reads "-" as "root's login shell" and "-x" as an option: only account names.
      user: { ...ownerSchema, description: 'Run as this user (through su); requires keel to run as root.' },
      env: {
        type: 'object',
        description: 'Environment variables for the command and its checks.',
        propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
        additionalProperties: { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] },
      },
      creates: { type: 'string', minLength: 1, description: 'Skip when this path exists (relative: from cwd).' },
      unless: { type: 'string', minLength: 1, description: 'Read-only sh check: skip when it exits 0.' },
      onlyif: { type: 'string', minLength: 1, description: 'Read-only sh check: run only when it exits 0.' },
      onchanges: {
        type: 'array',
        items: { type: 'string', minLength: 1 },
        minItems: 1,
        description: 'Resource ids: run only when one of them changed in this run.',
      },
      timeout: { type: 'integer', minimum: 1, description: 'Seconds before the command is killed and fails.' },
      refresh: {
        type: 'string',
        enum: ['run'],
        description: 'run: a watch/notify that fires runs the command; with no other guard it runs only then (a handler).',
      },
    },
    required: ['run'],
    additionalProperties: false,
  },
  idParams: ['onchanges'],
  autoRequires(spec) {
    const ids: string[] = [];
    if (spec.cwd !== undefined) ids.push(`directory:${spec.cwd}`);
    if (spec.user !== undefined) ids.push(`user:${spec.user}`);
    // onchanges implies order: the command runs after the resources it reacts to.
    ids.push(...(spec.onchanges ?? []));
    return ids;
  },

  prepare(spec) {
    if (spec.creates !== undefined && !posix.isAbsolute(spec.creates) && spec.cwd === undefined) {
      throw new ConfigError(`command ${spec.name}: creates "${spec.creates}" is relative but no cwd is set`, {
        hint: 'use an absolute path or set cwd',
      });
    }
    return spec;
  },

  probe(spec) {
    const lines: string[] = [];
    const creates = createsPath(spec);
    // An existing absolute `creates` decides even when cwd or user are yet to be created.
    if (creates !== undefined) lines.push(`if [ -e ${shq(creates)} ]; then echo guard=creates; exit 0; fi`);
    if (spec.cwd !== undefined) lines.push(`if [ ! -d ${shq(spec.cwd)} ]; then echo guard=cwd-missing; exit 0; fi`);
    if (spec.user !== undefined) lines.push(`if ! id -u ${shq(spec.user)} >/dev/null 2>&1; then echo guard=user-missing; exit 0; fi`);
    const check = (script: string, then: string): string =>
      `timeout -k 5 ${GUARD_TIMEOUT_SEC} ${wrapScript(spec, script, ` >/dev/null 2>&1; then ${then}; exit 0; fi`)}`;
    if (spec.unless !== undefined) lines.push(`if ${check(spec.unless, 'echo guard=unless')}`);
    if (spec.onlyif !== undefined) lines.push(`if ! ${check(spec.onlyif, 'echo guard=onlyif')}`);
    lines.push('echo guard=none');
    return lines.join('\n');
  },

  parse(spec, out) {
    const m = /^guard=([a-z-]+)$/m.exec(out.text);
    const guards: Guard[] = ['creates', 'unless', 'onlyif', 'none', 'cwd-missing', 'user-missing'];
    if (out.code !== 0 || !m || !guards.includes(m[1] as Guard)) {
      throw new CommandError(`probe of command ${spec.name}`, out.code, out.stderr.toString('utf8'));
    }
    return { guard: m[1] as Guard };
  },

  plan(spec, cur, _facts, ctx): Plan<CommandSteps> {
    const none: Plan<CommandSteps> = { action: 'none', changes: [] };
    // a handler: in sync unless notified, and a notification runs it through refresh
    if (isHandler(spec)) return none;
    let pendingOn: string[] | undefined;
    if (spec.onchanges !== undefined) {
      const states = spec.onchanges.map((id) => [id, ctx.changed(id)] as const);
      if (!states.some(([, c]) => c === true)) {
        pendingOn = states.filter(([, c]) => c === 'maybe').map(([id]) => id);
        // nothing it runs after can change in this run: it will not run, whatever else does
        if (pendingOn.length === 0) return { ...none, settled: true };
      }
    }
    if (cur.guard === 'creates' || cur.guard === 'unless' || cur.guard === 'onlyif') return none;
    const where = [spec.cwd && `in ${spec.cwd}`, spec.user && `as ${spec.user}`].filter(Boolean).join(', ');
    const changes: Change[] = [{ field: 'run', from: null, to: spec.run, ...(where ? { detail: where } : {}) }];
    if (pendingOn) changes.push({ field: 'onchanges', from: null, to: pendingOn.join(', ') });
    if (cur.guard === 'cwd-missing') changes.push({ field: 'cwd', from: null, to: spec.cwd! });
    if (cur.guard === 'user-missing') changes.push({ field: 'user', from: null, to: spec.user! });
    return {
      action: 'update',
      changes,
      steps: runSteps(spec),
      verifiable: spec.creates !== undefined || spec.unless !== undefined,
      unsettled: { message: 'the command ran, its guard still fails: fix the guard or the command', hint: guardHint(spec) },
    };
  },

  async apply(ctx, plan, spec) {
    if (plan.steps) await runCommand(ctx, plan.steps, spec);
  },

  // run anyway once notified, unless its own plan runs it in this run already
  refreshAction: (spec, plan) => (spec.refresh !== 'run' ? undefined : plan && plan.action !== 'none' ? false : 'run'),
  refresh: (ctx, spec) => runCommand(ctx, runSteps(spec), spec),
};

/** refresh: run and nothing else that could make it run: it runs only when notified. */
function isHandler(spec: CommandSpec): boolean {
  return spec.refresh === 'run' && [spec.creates, spec.unless, spec.onlyif, spec.onchanges].every((g) => g === undefined);
}

function runSteps(spec: CommandSpec): CommandSteps {
  const script = spec.timeout !== undefined ? `timeout -k 10 ${shq(spec.timeout)} ${wrapScript(spec, spec.run)}` : wrapScript(spec, spec.run);
  return { script, timeoutSec: spec.timeout };
}

async function runCommand(ctx: ApplyContext, steps: CommandSteps, spec: CommandSpec): Promise<void> {
  const { script, timeoutSec } = steps;
  try {
    await ctx.run(script, timeoutSec !== undefined ? { timeoutMs: (timeoutSec + 30) * 1000 } : undefined);
  } catch (e) {
    if (!(e instanceof CommandError)) throw e;
    const timedOut = timeoutSec !== undefined && (e.exitCode === 124 || e.exitCode === 137);
    const stderr = timedOut ? `${e.stderr}\ntimed out after ${timeoutSec} s` : e.stderr;
    throw new CommandError(spec.run, e.exitCode, stderr, { cause: e, host: ctx.host });
  }
}

