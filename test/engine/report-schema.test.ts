/**
 * The --json report is a contract: real reports of plan and converge (drift, in sync, a failure)
 * validate against docs/report.schema.json; stdout holds only the JSON even at --log-level debug
 * (logs go to stderr), and --log-file takes the logs instead.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, keel, keelJson } from '../helpers/keel.js';
import { project } from './local-env.js';
import { runLocal } from './run-local.js';

const schema = JSON.parse(readFileSync(join(REPO, 'docs', 'report.schema.json'), 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: true });
ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
const validate = ajv.compile(schema);

function expectValid(report: unknown) {
  const ok = validate(report);
  expect(ok, JSON.stringify(validate.errors, null, 2)).toBe(true);
}

/** pino's JSON lines in a text, parsed (other lines ignored). */
function logLines(text: string): { level: number; msg?: string; [k: string]: unknown }[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
}

const p = project({
  site: `resources:
  - file: "{{ root }}/ok.txt"
    content: "ok\\n"
    tags: [good]
  - command: fail
    run: "echo boom >&2; exit 3"
    creates: "{{ root }}/never"
  - file: "{{ root }}/after"
    content: "after\\n"
    require: command:fail
  - directory: "{{ root }}/a-file"
    tags: [conflict]
`,
});
afterAll(() => p.remove());
writeFileSync(`${p.root}/a-file`, 'a regular file where a directory is declared\n');

describe('the schema itself', () => {
  it('rejects what it should (so that passing means something)', () => {
    const good = {
      command: 'plan',
      startedAt: new Date().toISOString(),
      durationMs: 1,
      hosts: [],
      summary: { hosts: 0, drifted: 0, changed: 0, failed: 0, unreachable: 0 },
    };
    expectValid(good);
    expect(validate({ ...good, startedAt: 'yesterday' })).toBe(false);
    expect(validate({ ...good, extra: 1 })).toBe(false);
    const host = { host: 'h', status: 'in-sync', durationMs: 0, resources: [], summary: { ok: 0, changed: 0, failed: 0, skipped: 0, uncertain: 0 } };
    expectValid({ ...good, hosts: [host] });
    expect(validate({ ...good, hosts: [{ ...host, status: 'fine' }] })).toBe(false);
  });
});

describe('real reports validate against docs/report.schema.json', () => {
  let plan: Awaited<ReturnType<typeof keelJson>>;
  let converge: Awaited<ReturnType<typeof keelJson>>;
  const logFile = join(p.dir, 'logs', 'keel.log');

  beforeAll(async () => {
    // Plan at debug level (logs on stderr); converge with logs in a file. Sequential: same host.
    plan = await keelJson(['plan', '--log-level', 'debug', '-t', 'good', ...p.args]);
    converge = await keelJson(['converge', '--log-level', 'info', '--log-file', logFile, '-t', 'good,conflict', ...p.args]);
  });

  it('plan with drift: exit 2, valid, stdout is exactly one JSON document', () => {
    expect(plan.code, plan.stderr).toBe(2);
    expectValid(plan.report);
    expect(plan.stdout.trim().startsWith('{')).toBe(true);
    expect(JSON.parse(plan.stdout)).toEqual(plan.report);
    expect(plan.report.hosts[0]).toMatchObject({ host: 'localhost', status: 'drift' });
    const r = plan.report.hosts[0].resources[0];
    expect(r).toMatchObject({ id: `file:${p.root}/ok.txt`, action: 'create', status: 'planned' });
    expect(r.source).toBe(`${p.dir}/states/site.yaml:2`);
    expect(r.diff).toContain('+ok');
    // -t good: one file to add, and the counts the text headline gives
    expect(plan.report.hosts[0].counts).toEqual({ add: 1, change: 0, destroy: 0, run: 0, refresh: 0, mayChange: 0 });
    expect(plan.report.summary.counts).toEqual(plan.report.hosts[0].counts);
  });

  it('--log-level debug writes pino JSON lines to stderr, not stdout', () => {
    const logs = logLines(plan.stderr);
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.some((l) => l.level === 20)).toBe(true); // debug
    expect(plan.stdout).not.toMatch(/"level":\s*\d+/);
  });

  it('converge with a failed and a changed resource: exit 1, valid', () => {
    expect(converge.code, converge.stderr).toBe(1);
    expectValid(converge.report);
    const [host] = converge.report.hosts;
    expect(host.status).toBe('failed');
    const byId = new Map<string, { status: string; error?: string }>(host.resources.map((r: { id: string }) => [r.id, r]));
    expect(byId.get(`file:${p.root}/ok.txt`)!.status).toBe('changed');
    // a file where a directory is declared: a plan-time conflict, reported as a failed resource
    expect(byId.get(`directory:${p.root}/a-file`)!.status).toBe('failed');
    expect(byId.get(`directory:${p.root}/a-file`)!.error).toContain('not a directory');
    expect(converge.report.summary).toMatchObject({ hosts: 1, failed: 1 });
    // what converge did: the file added; the failed directory is not counted
    expect(host.counts).toEqual({ add: 1, change: 0, destroy: 0, run: 0, refresh: 0, mayChange: 0 });
  });

  it('--log-file takes the logs: stderr has only the progress lines, the file has JSON lines', () => {
    const lines = converge.stderr.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z localhost (connected|took the host lock|probed and planned|applied|converge done) in \d+\.\d s/);
    const logs = logLines(readFileSync(logFile, 'utf8'));
    expect(logs.some((l) => l.msg === 'apply' && l.host === 'localhost')).toBe(true);
    expect(logs.every((l) => l.level >= 30)).toBe(true); // info and above only
  });

  it('plan in sync: exit 0, valid', async () => {
    const res = await keelJson(['plan', '-t', 'good', ...p.args]);
    expect(res.code, res.stderr).toBe(0);
    expectValid(res.report);
    expect(res.report.hosts[0].status).toBe('in-sync');
    expect(res.report.hosts[0].resources[0]).toMatchObject({ action: 'none', status: 'ok', changes: [] });
    expect(res.report.summary).toMatchObject({ drifted: 0, failed: 0 });
  });

  it('in-process variants validate too: a failing command, a skip, a plan-time failure', async () => {
    const vars = [`root=${p.root}`];
    const all = await runLocal('plan', p.inventory, { vars });
    expectValid(JSON.parse(JSON.stringify(all.report)));
    expect(all.report.hosts[0].status).toBe('failed'); // the conflict fails the plan
    const conv = await runLocal('converge', p.inventory, { vars });
    expectValid(JSON.parse(JSON.stringify(conv.report)));
    const statuses = conv.report.hosts[0].resources.map((r) => r.status).sort();
    expect(statuses).toEqual(['failed', 'failed', 'ok', 'skipped']);
  });
});

describe('watch/notify refreshes in the report', () => {
  it('plan (will run) and converge (refreshed) of a command handler validate', async () => {
    const h = project({ app: `resources:\n  - file: "{{ root }}/a"\n    content: "a\\n"\n  - command: handler\n    run: "true"\n    refresh: run\n    watch: "file:{{ root }}/a"\n` });
    try {
      const vars = [`root=${h.root}`];
      const plan = await runLocal('plan', h.inventory, { vars });
      expect(plan.report.hosts[0].resources[1]).toMatchObject({ action: 'none', status: 'planned', refresh: { action: 'run', because: [`file:${h.root}/a`] } });
      expectValid(JSON.parse(JSON.stringify(plan.report)));
      const conv = await runLocal('converge', h.inventory, { vars });
      expect(conv.report.hosts[0].resources[1]).toMatchObject({ status: 'changed', refreshed: true, refresh: { action: 'run' } });
      expectValid(JSON.parse(JSON.stringify(conv.report)));
    } finally {
      h.remove();
    }
  });
});

describe('a rollout stopped by --max-fail-percentage', () => {
  const r = project(
    { ok: `resources:\n  - file: "{{ root }}/{{ inventory_hostname }}"\n    content: "ok\\n"\n`, bad: `resources:\n  - command: fail\n    run: "exit 3"\n` },
    `hosts:\n${['a', 'b', 'c', 'd'].map((h) => `  ${h}:\n    connection: local\n    states: [${h === 'b' ? 'bad' : 'ok'}]\n`).join('')}`,
  );
  afterAll(() => r.remove());

  it('says which batch stopped it, why, and which hosts never ran: JSON valid, text and exit bits too', async () => {
    const args = ['converge', '-i', r.inventory, '--var', `root=${r.root}`, '--serial', '50%', '--max-fail-percentage', '0', '--detailed-exitcode'];
    const json = await keelJson(args);
    expectValid(json.report);
    expect(json.code).toBe(2 | 4);
    expect(json.report.hosts.map((h: any) => `${h.host} ${h.status}`)).toEqual(['a changed', 'b failed']);
    expect(json.report.rollout).toEqual({
      batches: [['a', 'b'], ['c', 'd']],
      stopped: { afterBatch: 1, reason: '1 of 2 host(s) of the batch failed (50% > --max-fail-percentage 0): b failed', notRun: ['c', 'd'] },
    });
    expect(existsSync(join(r.root, 'c'))).toBe(false);
    const text = await keel(args.slice(0, -1));
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('rollout stopped after batch 1 of 2: 1 of 2 host(s) of the batch failed (50% > --max-fail-percentage 0): b failed\nnot run: c, d\n');
  });

  it('refuses flag values out of range with the flag name (exit 1)', async () => {
    for (const [flag, value, want] of [
      ['--serial', '0', /--serial expects a number of hosts \(>= 1\) or a percentage such as 25%, got "0"/],
      ['--serial', 'x%', /--serial expects/],
      ['--max-fail-percentage', '101', /--max-fail-percentage expects a percentage from 0 to 100, got "101"/],
      ['--lock-timeout', '-1', /--lock-timeout expects a whole number >= 0, got "-1"/],
    ] as const) {
      const res = await keel(['converge', '-i', r.inventory, flag, value]);
      expect(res.code, res.stderr).toBe(1);
      expect(res.stderr).toMatch(want);
      expect(res.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
