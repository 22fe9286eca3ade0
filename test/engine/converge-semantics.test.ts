/**
 * What converge promises beyond "apply the plan": failures skip their dependents (naming the
 * failure) and nothing else; exit codes and --detailed-exitcode bits; may-change resources are
 * probed again before apply; onchanges and watch fire only on a real change; a module whose
 * apply does not settle is named; --tags and --limit select. In-process over the real local
 * transport, plus a few real CLI runs for the flags' wiring.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { ResourceModule } from '../../src/module.js';
import { moduleSet } from '../../src/module-set.js';
import { builtinModules } from '../../modules/index.js';
import { shq } from '../../src/shell.js';
import { keel, keelJson } from '../helpers/keel.js';
import { project, type Project } from './local-env.js';
import { resource, runLocal } from './run-local.js';

/** A deliberately buggy module: plans `content`, but its apply writes something else. */
const buggyModule: ResourceModule<{ name: string; content: string }, { text: string | null }> = {
  kind: 'buggy_file',
  doc: 'test only: a file module whose apply writes the wrong content',
  schema: { type: 'object', properties: { content: { type: 'string' } }, required: ['content'], additionalProperties: false },
  probe: (spec) => `if [ -f ${shq(spec.name)} ]; then cat ${shq(spec.name)}; else echo '<absent>'; fi`,
  parse: (_spec, out) => ({ text: out.text === '<absent>\n' ? null : out.text }),
  plan: (spec, cur) =>
    cur.text === spec.content
      ? { action: 'none', changes: [] }
      : { action: cur.text === null ? 'create' : 'update', changes: [{ field: 'content', from: cur.text, to: spec.content }] },
  async apply(ctx, _plan, spec) {
    await ctx.transport.put(spec.name, spec.content.toUpperCase());
  },
};

/** A service-like module: always in sync; its refresh appends a line to `log`. */
const refreshModule: ResourceModule<{ name: string; log: string }, Record<string, never>> = {
  kind: 'test_service',
  doc: 'test only: a service whose refresh appends to a log file',
  schema: { type: 'object', properties: { log: { type: 'string' } }, required: ['log'], additionalProperties: false },
  probe: () => ':',
  parse: () => ({}),
  plan: () => ({ action: 'none', changes: [] }),
  async apply() {},
  async refresh(ctx, spec) {
    await ctx.run(`echo ${shq(`refresh ${spec.name}`)} >> ${shq(spec.log)}`);
  },
};

/** The built-in modules and the two test-only ones above. */
const modules = moduleSet([...builtinModules.values(), buggyModule, refreshModule]);

const projects: Project[] = [];
afterAll(() => projects.forEach((p) => p.remove()));
const make = (states: Record<string, string>, inventory?: string) => {
  const p = project(states, inventory);
  projects.push(p);
  return p;
};
const lines = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : []);

describe('a failure skips its dependents and nothing else', () => {
  const p = make({
    site: `resources:
  - command: fail
    run: "exit 3"
    creates: "{{ root }}/never"
  - file: "{{ root }}/after"
    content: "needs fail\\n"
    require: command:fail
  - file: "{{ root }}/after-after"
    content: "needs after\\n"
    require: "file:{{ root }}/after"
  - file: "{{ root }}/unrelated"
    content: "free\\n"
`,
  });
  const run = (detailed = false) => runLocal('converge', p.inventory, { vars: [`root=${p.root}`], detailed });

  it('fails the command, skips what requires it naming it, converges the rest, exit 1', async () => {
    const res = await run();
    expect(res.code, res.text).toBe(1);
    const fail = resource(res, 'command:fail');
    expect(fail.status).toBe('failed');
    expect(fail.error).toContain('exit 3');
    const after = resource(res, `file:${p.root}/after`);
    expect(after.status).toBe('skipped');
    expect(after.error).toContain('command:fail');
    expect(resource(res, `file:${p.root}/after-after`).status).toBe('skipped');
    // two steps away: the skip names the resource in between and the failure at the root
    expect(resource(res, `file:${p.root}/after-after`).error).toBe(`skipped: dependency file:${p.root}/after was skipped because command:fail failed`);
    expect(resource(res, `file:${p.root}/unrelated`).status).toBe('changed');
    expect(readFileSync(`${p.root}/unrelated`, 'utf8')).toBe('free\n');
    expect(existsSync(`${p.root}/after`)).toBe(false);
    expect(existsSync(`${p.root}/after-after`)).toBe(false);
    expect(res.report.hosts[0]).toMatchObject({ status: 'failed', summary: { failed: 1, skipped: 2, changed: 1 } });
    expect(res.text).toMatch(/localhost : ok=0 changed=1 failed=1 skipped=2 unreachable=0/);
  });

  it('--detailed-exitcode: 4 when only something failed', async () => {
    const res = await run(true);
    expect(resource(res, `file:${p.root}/unrelated`).status).toBe('ok');
    expect(res.code, res.text).toBe(4);
  });

  it('--detailed-exitcode through the CLI: 6 = changed and failed', async () => {
    writeFileSync(`${p.root}/unrelated`, 'edited by hand\n');
    const res = await keel(['converge', '--detailed-exitcode', ...p.args]);
    expect(res.code, res.stdout + res.stderr).toBe(6);
    expect(res.stdout).toMatch(/file:\S+\/after\s.*\[skipped\]/);
    expect(res.stdout).toContain('dependency command:fail failed');
    expect(readFileSync(`${p.root}/unrelated`, 'utf8')).toBe('free\n');
  });
});

describe('--detailed-exitcode without failures', () => {
  it('2 when something changed, 0 when nothing did; plain converge says 0 both times', async () => {
    const p = make({ one: `resources:\n  - file: "{{ root }}/a"\n    content: "a\\n"\n` });
    const vars = [`root=${p.root}`];
    const first = await runLocal('converge', p.inventory, { vars, detailed: true });
    expect(first.code, first.text).toBe(2);
    const second = await runLocal('converge', p.inventory, { vars, detailed: true });
    expect(second.code, second.text).toBe(0);
    writeFileSync(`${p.root}/a`, 'b\n');
    expect((await runLocal('converge', p.inventory, { vars })).code).toBe(0);
    expect(readFileSync(`${p.root}/a`, 'utf8')).toBe('a\n');
  });
});

describe('may change: a resource whose dependency will change', () => {
  const p = make({
    site: `resources:
  - file: "{{ root }}/X"
    content: "x\\n"
  - command: when-x
    run: "echo ran >> {{ root }}/when-x.log"
    onlyif: "test -f {{ root }}/X"
    require: "file:{{ root }}/X"
  - command: unless-x
    run: "echo ran >> {{ root }}/unless-x.log"
    unless: "test -f {{ root }}/X"
    require: "file:{{ root }}/X"
  - command: independent
    run: "echo ran >> {{ root }}/independent.log"
    onlyif: "test -f {{ root }}/X"
`,
  });
  const vars = () => [`root=${p.root}`];

  it('plan shows "?" and action may-change when its own plan is none but a dependency changes', async () => {
    const plan = await runLocal('plan', p.inventory, { vars: vars() });
    expect(plan.code).toBe(2);
    const whenX = resource(plan, 'command:when-x');
    expect(whenX.action).toBe('may-change');
    expect(whenX.status).toBe('planned');
    expect(plan.text).toMatch(/^ {2}\? command:when-x .*may change/m);
    expect(plan.report.hosts[0].summary.uncertain).toBe(1);
    expect(plan.text).toMatch(/may_change=1/);
    // No dependency: its guard fails, so it plans to do nothing, and says so.
    expect(resource(plan, 'command:independent')).toMatchObject({ action: 'none', status: 'ok' });
    // Its guard fails today, so it plans to run; converge re-probes it (below).
    expect(resource(plan, 'command:unless-x').action).toBe('update');
  });

  it('the same through the CLI --json', async () => {
    const { code, report } = await keelJson(['plan', ...p.args]);
    expect(code).toBe(2);
    const r = report.hosts[0].resources.find((x: { id: string }) => x.id === 'command:when-x');
    expect(r.action).toBe('may-change');
    expect(report.hosts[0].summary.uncertain).toBe(1);
  });

  it('converge probes it again after the dependency changed, and acts on what it finds then', async () => {
    const res = await runLocal('converge', p.inventory, { vars: vars() });
    expect(res.code, res.text).toBe(0);
    // onlyif now holds (X exists): it ran, although plan-time probing said it would not.
    expect(resource(res, 'command:when-x').status).toBe('changed');
    expect(lines(`${p.root}/when-x.log`)).toEqual(['ran']);
    // unless now holds: re-probed to "none", it did not run, although plan-time probing said it would.
    expect(resource(res, 'command:unless-x').status).toBe('ok');
    expect(existsSync(`${p.root}/unless-x.log`)).toBe(false);
    // Not dependent on X, so probed once, before X existed: plan and converge agree it does nothing.
    expect(resource(res, 'command:independent').status).toBe('ok');
    expect(existsSync(`${p.root}/independent.log`)).toBe(false);
  });
});

describe('onchanges', () => {
  it('runs the command when the file changed, not on the next converge, again after a hand edit', async () => {
    const p = make({
      site: `resources:
  - file: "{{ root }}/app.conf"
    content: "v1\\n"
  - command: reload
    run: "echo reload >> {{ root }}/reload.log"
    onchanges: ["file:{{ root }}/app.conf"]
`,
    });
    const vars = [`root=${p.root}`];
    const log = `${p.root}/reload.log`;
    const plan = await runLocal('plan', p.inventory, { vars });
    expect(resource(plan, 'command:reload').changes).toContainEqual({ field: 'onchanges', from: null, to: `file:${p.root}/app.conf` });

    const first = await runLocal('converge', p.inventory, { vars, modules });
    expect(first.code, first.text).toBe(0);
    expect(resource(first, 'command:reload').status).toBe('changed');
    expect(lines(log)).toEqual(['reload']);

    const second = await runLocal('converge', p.inventory, { vars, modules });
    expect(second.code).toBe(0);
    expect(resource(second, 'command:reload').status).toBe('ok');
    expect(lines(log)).toEqual(['reload']);
    const inSync = await runLocal('plan', p.inventory, { vars });
    expect(inSync.code, inSync.text).toBe(0);

    writeFileSync(`${p.root}/app.conf`, 'edited\n');
    const third = await runLocal('converge', p.inventory, { vars, modules });
    expect(resource(third, 'command:reload').status).toBe('changed');
    expect(lines(log)).toEqual(['reload', 'reload']);
  });
});

describe('a non-idempotent module is caught', () => {
  it('converge fails the resource naming the module and "not idempotent"', async () => {
    const p = make({
      site: `resources:
  - buggy_file: "{{ root }}/b.txt"
    content: "lower case\\n"
  - file: "{{ root }}/fine"
    content: "fine\\n"
`,
    });
    const res = await runLocal('converge', p.inventory, { vars: [`root=${p.root}`], modules });
    expect(res.code, res.text).toBe(1);
    const r = resource(res, `buggy_file:${p.root}/b.txt`);
    expect(r.status).toBe('failed');
    expect(r.error).toContain('not idempotent');
    expect(r.error).toContain("module 'buggy_file'");
    expect(r.error).toContain(`buggy_file:${p.root}/b.txt`);
    expect(r.error).toContain('content');
    expect(res.text).toContain("not idempotent: module 'buggy_file'");
    expect(readFileSync(`${p.root}/b.txt`, 'utf8')).toBe('LOWER CASE\n');
    expect(resource(res, `file:${p.root}/fine`).status).toBe('changed');
  });
});

describe('watch and notify run refresh only when the watched resource changed', () => {
  it('refreshes after a change, not on the next converge, and not for an unchanged file', async () => {
    const p = make({
      site: `resources:
  - file: "{{ root }}/app.conf"
    content: "v1\\n"
  - file: "{{ root }}/other.conf"
    content: "o\\n"
    notify: test_service:notified
  - test_service: app
    log: "{{ root }}/refresh.log"
    watch: "file:{{ root }}/app.conf"
  - test_service: notified
    log: "{{ root }}/refresh.log"
  - test_service: idle
    log: "{{ root }}/refresh.log"
    watch: "file:{{ root }}/steady.conf"
  - file: "{{ root }}/steady.conf"
    content: "s\\n"
`,
    });
    const vars = [`root=${p.root}`];
    const log = `${p.root}/refresh.log`;
    writeFileSync(`${p.root}/steady.conf`, 's\n'); // already right: never changes

    const first = await runLocal('converge', p.inventory, { vars, modules });
    expect(first.code, first.text).toBe(0);
    expect(lines(log).sort()).toEqual(['refresh app', 'refresh notified']);
    expect(resource(first, 'test_service:app')).toMatchObject({ refreshed: true, status: 'changed' });
    expect(resource(first, 'test_service:idle').refreshed).toBeUndefined();
    expect(first.text).toMatch(/test_service:app .*refreshed/);

    const second = await runLocal('converge', p.inventory, { vars, modules });
    expect(second.code).toBe(0);
    expect(lines(log)).toHaveLength(2);
    expect(resource(second, 'test_service:app').refreshed).toBeUndefined();

    appendFileSync(`${p.root}/app.conf`, 'v2\n');
    const third = await runLocal('converge', p.inventory, { vars, modules });
    expect(lines(log)).toHaveLength(3);
    expect(lines(log)[2]).toBe('refresh app');
    expect(resource(third, 'test_service:notified').refreshed).toBeUndefined();
  });
});

describe('selection', () => {
  const p = make({
    site: `resources:
  - file: "{{ root }}/web"
    content: "w\\n"
    tags: web
  - file: "{{ root }}/db"
    content: "d\\n"
    tags: [db, data]
  - file: "{{ root }}/untagged"
    content: "u\\n"
`,
  });

  it('--tags selects only tagged resources, and converge touches only those', async () => {
    const vars = [`root=${p.root}`];
    const plan = await runLocal('plan', p.inventory, { vars, tags: ['data'] });
    expect(plan.report.hosts[0].resources.map((r) => r.id)).toEqual([`file:${p.root}/db`]);
    const conv = await runLocal('converge', p.inventory, { vars, tags: ['web'] });
    expect(conv.code).toBe(0);
    expect(existsSync(`${p.root}/web`)).toBe(true);
    expect(existsSync(`${p.root}/db`)).toBe(false);
    expect(existsSync(`${p.root}/untagged`)).toBe(false);
  });

  it('-t a,b through the CLI', async () => {
    const { code, report } = await keelJson(['plan', '-t', 'web,db', ...p.args]);
    expect(code).toBe(2);
    expect(report.hosts[0].resources.map((r: { id: string; action: string }) => `${r.id} ${r.action}`)).toEqual([
      `file:${p.root}/web none`,
      `file:${p.root}/db create`,
    ]);
  });

  it('--limit that matches nothing: exit 1 and a clear message, nothing touched', async () => {
    const [glob, name] = await Promise.all([
      keel(['converge', '--limit', 'db*', ...p.args]),
      keel(['plan', '-l', 'localhots', ...p.args]),
    ]);
    expect(glob.code).toBe(1);
    expect(glob.stderr.trim()).toBe('error: no host matches --limit db*');
    expect(glob.stdout).toBe('');
    expect(name.code).toBe(1);
    expect(name.stderr).toContain("no host or group named 'localhots'");
    expect(name.stderr).toContain("did you mean 'localhost'");
    expect(name.stderr).not.toMatch(/^\s+at /m);
    expect(existsSync(`${p.root}/untagged`)).toBe(false);
  });
});
