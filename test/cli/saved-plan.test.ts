/**
 * Saved plans through the real CLI on a local host: `keel plan --out` writes a 0600 file holding
 * no secret, `keel show` prints it, `keel converge FILE` applies exactly it and refuses (exit 1,
 * nothing applied on the host) when the host, the states or a secret no longer match; a --var
 * that carries a secret is saved by name only. Converge on a terminal (a pseudo-terminal from
 * util-linux's `script`) shows the plan and applies only after "yes".
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { REPO, keel, keelCommandLine } from '../helpers/keel.js';
import { project } from '../engine/local-env.js';

const schema = JSON.parse(readFileSync(join(REPO, 'docs', 'report.schema.json'), 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: true });
ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T/);
const validateReport = ajv.compile(schema);

const SECRET = 'pw-7f3a9c-not-in-any-file';
const STATE = `resources:
  - file: "{{ root }}/conf"
    content: "password={{ db_password }}\\n"
    mode: "0600"
  - file: "{{ root }}/motd"
    content: "hello\\n"
  - command: stamp
    run: "echo stamped > {{ root }}/stamp"
    creates: "{{ root }}/stamp"
`;
const inventory = (secret: string) => `sensitive_vars: [db_password]
hosts:
  localhost:
    connection: local
    vars: {db_password: "${secret}"}
    states: [site]
`;
const p = project({ site: STATE }, inventory(SECRET));
afterAll(() => p.remove());
const planFile = join(p.dir, 'plan.keel');

beforeEach(() => {
  // every case starts from an empty root, the states and inventory as above
  for (const f of ['conf', 'motd', 'stamp']) rmSync(join(p.root, f), { force: true });
  p.write('states/site.yaml', STATE);
  p.write('inventory.yaml', inventory(SECRET));
});

describe('keel plan --out, keel show, keel converge FILE', () => {
  it('saves the plan (0600, no secret), shows it as plan printed it, applies exactly it, then is stale', async () => {
    const plan = await keel(['plan', ...p.args, '--out', planFile]);
    expect(plan.code, plan.stderr).toBe(2);
    expect(plan.stdout).toContain('localhost: Plan: 2 to add, 0 to change, 0 to destroy, 1 to run');
    expect(plan.stdout).toContain(`Saved the plan to ${planFile}: keel converge ${planFile} applies exactly it`);
    expect(statSync(planFile).mode & 0o777).toBe(0o600);
    const saved = readFileSync(planFile, 'utf8');
    expect(saved).not.toContain(SECRET);
    expect(saved).toContain('(sensitive)');

    const show = await keel(['show', planFile]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain(`keel plan -i ${p.inventory} --var root=${p.root}`);
    // the same report text as the plan printed
    expect(show.stdout).toContain(plan.stdout.split('\n\nSaved the plan')[0]);
    const json = await keel(['show', planFile, '--json']);
    const report = JSON.parse(json.stdout);
    expect(validateReport(report), JSON.stringify(validateReport.errors)).toBe(true);
    expect(report.hosts[0].counts).toMatchObject({ add: 2, run: 1 });
    // keel graph --plan takes the saved plan too: the nodes it will change are coloured so
    const graph = await keel(['graph', ...p.args, '--plan', planFile]);
    expect(graph.code, graph.stderr).toBe(0);
    expect(graph.stdout).toContain(`"file:${p.root}/motd" [fillcolor="#ffe8a3"`);

    const converge = await keel(['converge', planFile]);
    expect(converge.code, converge.stdout + converge.stderr).toBe(0);
    expect(converge.stdout).toContain('localhost: Applied: 2 added, 0 changed, 0 destroyed, 1 run');
    expect(readFileSync(join(p.root, 'conf'), 'utf8')).toBe(`password=${SECRET}\n`);
    expect(existsSync(join(p.root, 'stamp'))).toBe(true);
    expect(converge.stdout).not.toContain(SECRET);

    // applied: the host no longer plans those changes, so the same plan is refused
    const again = await keel(['converge', planFile]);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain(`nothing applied: this host is no longer as ${planFile} planned it`);
    expect(again.stdout).toContain(`- file:${p.root}/motd: the host changed since the plan (planned: create, now: none)`);
  });

  it('a hand-made change between plan and converge: refused naming the resource, nothing applied on the host', async () => {
    writeFileSync(join(p.root, 'motd'), 'old\n');
    expect((await keel(['plan', ...p.args, '--out', planFile])).code).toBe(2);
    writeFileSync(join(p.root, 'motd'), 'edited by hand\n');
    const r = await keel(['converge', planFile]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`- file:${p.root}/motd: the host changed since the plan (the changes differ)`);
    expect(r.stdout).not.toContain(`file:${p.root}/conf:`);
    // nothing applied: not even the resources that are still as planned
    expect(existsSync(join(p.root, 'conf'))).toBe(false);
    expect(existsSync(join(p.root, 'stamp'))).toBe(false);
    expect(readFileSync(join(p.root, 'motd'), 'utf8')).toBe('edited by hand\n');
  });

  it('states changed since the plan: refused, naming the changed, removed and new resources', async () => {
    expect((await keel(['plan', ...p.args, '--out', planFile])).code).toBe(2);
    p.write('states/site.yaml', STATE.replace('hello', 'hi').replace('- command: stamp', '- command: stamp2') + `  - directory: "{{ root }}/new"\n`);
    const r = await keel(['converge', planFile]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`- file:${p.root}/motd: its declaration changed since the plan`);
    expect(r.stdout).toContain('- command:stamp: no longer in the states');
    expect(r.stdout).toContain('- command:stamp2: new in the states since the plan');
    expect(r.stdout).toContain(`- directory:${p.root}/new: new in the states since the plan`);
    expect(existsSync(join(p.root, 'motd'))).toBe(false);
  });

  it('moving a declaration to another line is no change: the plan still applies', async () => {
    expect((await keel(['plan', ...p.args, '--out', planFile])).code).toBe(2);
    p.write('states/site.yaml', '# a comment line moves every declaration down\n' + STATE);
    const r = await keel(['converge', planFile]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain('Applied: 2 added');
  });

  it('a secret changed since the plan: refused without either value in the file or the output', async () => {
    expect((await keel(['plan', ...p.args, '--out', planFile])).code).toBe(2);
    const other = 'pw-other-2b1d';
    p.write('inventory.yaml', inventory(other));
    const r = await keel(['converge', planFile]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('- a sensitive value changed since the plan');
    expect(r.stdout + r.stderr).not.toContain(other);
    expect(readFileSync(planFile, 'utf8')).not.toContain(other);
    expect(existsSync(join(p.root, 'conf'))).toBe(false);
  });

  it('a --var that carries a secret is saved by name only and must be given again', async () => {
    p.write('inventory.yaml', inventory(SECRET).replace(`vars: {db_password: "${SECRET}"}`, 'vars: {db_password: unset}'));
    const fromVar = 'pw-from-var-5e6f';
    expect((await keel(['plan', ...p.args, '--var', `db_password=${fromVar}`, '--out', planFile])).code).toBe(2);
    const saved = readFileSync(planFile, 'utf8');
    expect(saved).not.toContain(fromVar);
    expect(JSON.parse(saved).vars).toEqual([{ name: 'root', value: p.root }, { name: 'db_password' }]);
    const missing = await keel(['converge', planFile]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`error: --var db_password carried a secret, so ${planFile} does not hold its value`);
    const other = await keel(['converge', planFile, '--var', 'root=/elsewhere', '--var', `db_password=${fromVar}`]);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain(`error: --var root: ${planFile} was planned with another value`);
    const ok = await keel(['converge', planFile, '--var', `db_password=${fromVar}`]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(readFileSync(join(p.root, 'conf'), 'utf8')).toBe(`password=${fromVar}\n`);
  });

  it("a module's sensitive field (a password set from --var) is in no byte of the file", async () => {
    const pw = 'role-pw-from-var-81c2';
    p.write('states/site.yaml', STATE + `  - postgres_role: app\n    password: "{{ role_pw }}"\n`);
    const plan = await keel(['plan', ...p.args, '--var', `role_pw=${pw}`, '--out', planFile]);
    expect(plan.stdout + plan.stderr).not.toContain(pw);
    const saved = readFileSync(planFile, 'utf8');
    expect(saved).not.toContain(pw);
    expect(JSON.parse(saved).vars).toContainEqual({ name: 'role_pw' });
  });

  it('a report edited after the plan was saved: show and converge refuse the file', async () => {
    expect((await keel(['plan', ...p.args, '--out', planFile])).code).toBe(2);
    const doc = JSON.parse(readFileSync(planFile, 'utf8'));
    // what a reviewer would read is changed: the motd content shown
    const motd = doc.report.hosts[0].resources.find((r: { id: string }) => r.id.endsWith('/motd'));
    motd.diff = motd.diff.replace('+hello', '+harmless');
    const edited = join(p.dir, 'edited.keel');
    writeFileSync(edited, JSON.stringify(doc));
    for (const cmd of ['show', 'converge']) {
      const r = await keel([cmd, edited]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`host localhost, resource file:${p.root}/motd: the report is not what was planned: the file was changed after keel wrote it`);
    }
    // a field of the wrong type is one clear error too
    doc.vars = [null];
    writeFileSync(edited, JSON.stringify(doc));
    const bad = await keel(['show', edited]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/not a plan saved by keel plan --out \(\/vars\/0 must be object\)/);
    expect(existsSync(join(p.root, 'motd'))).toBe(false);
  });

  it('bad use: -i beside a plan, a missing file, a file that is no plan: one clear error, exit 1', async () => {
    expect((await keel(['plan', ...p.args, '--out', planFile])).code).toBe(2);
    const clash = await keel(['converge', planFile, '-i', p.inventory]);
    expect(clash.code).toBe(1);
    expect(clash.stderr).toContain(`error: --inventory with a saved plan: ${planFile} carries its own inventory, --limit and --tags`);
    const missing = await keel(['converge', join(p.dir, 'nope.keel')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`nope.keel: cannot read the plan: ENOENT`);
    writeFileSync(join(p.dir, 'report.json'), '{"command":"plan","hosts":[]}');
    for (const cmd of [['converge'], ['show']]) {
      const r = await keel([...cmd, join(p.dir, 'report.json')]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`report.json:1:1: not a plan saved by keel plan --out (no "format": "keel-plan")`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(existsSync(join(p.root, 'motd'))).toBe(false);
  });
});

/** keel under a pseudo-terminal (util-linux script), `input` typed on it. */
function onTerminal(args: string[], input: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = execFile('script', ['-qec', keelCommandLine(args), '/dev/null'], { cwd: REPO, env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000 }, (err, stdout) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout.toString().replace(/\r/g, '') }),
    );
    child.stdin!.end(input);
  });
}

describe('keel converge on a terminal', () => {
  it('shows the plan and asks: anything but "yes" applies nothing; "yes" applies; in sync asks nothing', async () => {
    const no = await onTerminal(['converge', ...p.args], 'no\n');
    expect(no.out).toContain('localhost: Plan: 2 to add, 0 to change, 0 to destroy, 1 to run');
    expect(no.out).toContain('Converge as planned above? Only "yes" is accepted');
    expect(no.out).toContain('Converge cancelled: nothing applied.');
    expect(no.code).toBe(1);
    expect(existsSync(join(p.root, 'motd'))).toBe(false);

    const yes = await onTerminal(['converge', ...p.args], 'yes\n');
    expect(yes.out).toContain('localhost: Applied: 2 added, 0 changed, 0 destroyed, 1 run');
    expect(yes.code).toBe(0);
    expect(readFileSync(join(p.root, 'motd'), 'utf8')).toBe('hello\n');

    const synced = await onTerminal(['converge', ...p.args], '');
    expect(synced.out).toContain('Nothing to converge: every host is in sync.');
    expect(synced.out).not.toContain('Converge as planned above?');
    expect(synced.code).toBe(0);
  });

  it('--yes does not ask', async () => {
    const r = await onTerminal(['converge', ...p.args, '--yes'], '');
    expect(r.out).not.toContain('Converge as planned above?');
    expect(r.out).toContain('Applied: 2 added');
    expect(r.code).toBe(0);
  });
});
