/**
 * One owner per path, and guards that mean what they say (issue 8, items 1 and 10): resources on
 * one path are refused or composed, never applied from stale probe contents; a later resource
 * that undoes an earlier one on the same path fails the converge; command guards are checked
 * again once something ran on the host. In-process over the real local transport.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadInventory } from '../../src/config/index.js';
import { builtinModules } from '../../modules/index.js';
import { compileJobs } from '../../src/engine/compile.js';
import { ConfigErrors, TransportError } from '../../src/errors.js';
import type { Transport } from '../../src/transport/types.js';
import { modeOf, project, type Project } from './local-env.js';
import { resource, runLocal } from './run-local.js';

const projects: Project[] = [];
afterAll(() => projects.forEach((p) => p.remove()));
function make(state: string): { p: Project; converge: () => ReturnType<typeof runLocal>; plan: () => ReturnType<typeof runLocal> } {
  const p = project({ main: state });
  projects.push(p);
  const vars = [`root=${p.root}`];
  return { p, converge: () => runLocal('converge', p.inventory, { vars }), plan: () => runLocal('plan', p.inventory, { vars }) };
}

async function configErrors(run: Promise<unknown>): Promise<string> {
  const e = await run.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(ConfigErrors);
  return (e as ConfigErrors).format();
}

describe('two resources that own the same path are refused before any host is touched', () => {
  it('file with content + line on it: names both file:lines, writes nothing', async () => {
    const { p, converge } = make(`resources:
  - file: "{{ root }}/conf"
    content: "a=1\\n"
  - line: "{{ root }}/conf"
    text: "b=2"
`);
    const msg = await configErrors(converge());
    expect(msg).toContain(`${p.root}/conf`);
    // the error sits at the second resource and names both, each with its file:line
    expect(msg).toMatch(/states\/main\.yaml:4:\d+: /);
    expect(msg).toContain(`file:${p.root}/conf (${p.dir}/states/main.yaml:2)`);
    expect(msg).toContain(`line:${p.root}/conf (${p.dir}/states/main.yaml:4)`);
    expect(() => statSync(`${p.root}/conf`)).toThrow();
  });

  it('template and systemd-style whole-file owners, and a directory, each refused against a file', async () => {
    const { p, plan } = make(`resources:
  - file: "{{ root }}/x"
    content: "one\\n"
  - file: "{{ root }}/x"
    id: second-x
    content: "two\\n"
  - directory: "{{ root }}/d"
  - file: "{{ root }}/d"
    mode: "0600"
`);
    const msg = await configErrors(plan());
    expect(msg).toContain(`${p.root}/x`);
    expect(msg).toContain('second-x');
    expect(msg).toContain(`directory:${p.root}/d`);
    expect(msg).toMatch(/main\.yaml:7/);
    expect(msg).toMatch(/main\.yaml:8/);
  });
});

describe('a file without content and lines on the same path compose', () => {
  it('mode 0600 plus a line: both hold after one converge, and the next plan is empty', async () => {
    const { p, converge, plan } = make(`resources:
  - file: "{{ root }}/secret.conf"
    mode: "0600"
  - line: "{{ root }}/secret.conf"
    text: "token=abc"
`);
    writeFileSync(`${p.root}/secret.conf`, 'keep=1\n', { mode: 0o644 });
    const first = await converge();
    expect(first.code, first.text).toBe(0);
    expect(modeOf(statSync(`${p.root}/secret.conf`))).toBe('0600');
    expect(readFileSync(`${p.root}/secret.conf`, 'utf8')).toBe('keep=1\ntoken=abc\n');
    const next = await plan();
    expect(next.code, next.text).toBe(0);
  });

  it('two lines on one file: both land (the second is applied to what the first wrote)', async () => {
    const { p, converge, plan } = make(`resources:
  - line: "{{ root }}/hosts"
    id: one
    text: "10.0.0.1 a"
  - line: "{{ root }}/hosts"
    id: two
    text: "10.0.0.2 b"
`);
    writeFileSync(`${p.root}/hosts`, '127.0.0.1 localhost\n');
    const first = await converge();
    expect(first.code, first.text).toBe(0);
    expect(readFileSync(`${p.root}/hosts`, 'utf8')).toBe('127.0.0.1 localhost\n10.0.0.1 a\n10.0.0.2 b\n');
    const next = await plan();
    expect(next.code, next.text).toBe(0);
  });

  it('they are applied one after another: the graph orders them, relations first', async () => {
    const { p } = make(`resources:
  - line: "{{ root }}/f"
    id: one
    text: "x=1"
    require: [two]
  - line: "{{ root }}/f"
    id: two
    text: "y=2"
  - line: "{{ root }}/f"
    id: three
    text: "z=3"
`);
    const [job] = compileJobs(loadInventory(p.inventory, { vars: { root: p.root } }), ['localhost'], builtinModules);
    expect(job.graph.order.map((r) => r.id)).toEqual(['two', 'one', 'three']);
    expect(job.graph.deps.get('one')).toEqual(['two']);
    expect(job.graph.deps.get('three')).toEqual(['one']);
    expect(job.shared?.get(`${p.root}/f`)).toEqual(['two', 'one', 'three']);
  });
});

describe('two lines that fight: converge cannot report success', () => {
  it('the line undone by a later one fails, naming it, as a problem of the state', async () => {
    const { p, converge } = make(`resources:
  - line: "{{ root }}/app.conf"
    id: port-80
    match: "^port="
    text: "port=80"
  - line: "{{ root }}/app.conf"
    id: port-8080
    match: "^port="
    text: "port=8080"
`);
    writeFileSync(`${p.root}/app.conf`, 'port=1\n');
    const res = await converge();
    expect(res.code, res.text).toBe(1);
    const undone = resource(res, 'port-80');
    expect(undone.status).toBe('failed');
    expect(undone.error).toContain('undone by port-8080');
    expect(undone.error).toContain('states/main.yaml:6');
    expect(undone.error).not.toContain('bug in');
    expect(resource(res, 'port-8080').status).toBe('changed');
  });
});

describe('the final check of shared paths cannot run (the connection dropped)', () => {
  it('keeps every resource\'s report and claims no success for those it could not check', async () => {
    const state = `resources:
  - line: "{{ root }}/two"
    id: one
    text: "x=1"
  - line: "{{ root }}/two"
    id: two
    text: "y=2"
`;
    const { p } = make(state);
    const vars = [`root=${p.root}`];
    let execs = 0;
    const counting = (t: Transport): Transport => ({ host: t.host, put: (...a) => t.put(...a), close: () => t.close(), exec: (...a) => (execs++, t.exec(...a)) });
    writeFileSync(`${p.root}/two`, '');
    expect((await runLocal('converge', p.inventory, { vars, wrap: counting })).code).toBe(0);
    const last = execs;
    writeFileSync(`${p.root}/two`, '');
    let n = 0;
    const dropLast = (t: Transport): Transport => ({
      ...counting(t),
      exec: (...a) => (++n === last ? Promise.reject(new TransportError('connection lost', { host: t.host })) : t.exec(...a)),
    });
    const res = await runLocal('converge', p.inventory, { vars, wrap: dropLast });
    expect(res.code, res.text).toBe(1);
    for (const id of ['one', 'two']) {
      expect(resource(res, id).status).toBe('failed');
      expect(resource(res, id).error).toContain('could not check again');
    }
    expect(readFileSync(`${p.root}/two`, 'utf8')).toBe('x=1\ny=2\n');
  });
});

describe('command guards are checked again right before the command runs', () => {
  it('two commands with the same creates: run once', async () => {
    const { p, converge, plan } = make(`resources:
  - command: first
    run: "echo first >> {{ root }}/log; touch {{ root }}/done"
    creates: "{{ root }}/done"
  - command: second
    run: "echo second >> {{ root }}/log; touch {{ root }}/done"
    creates: "{{ root }}/done"
`);
    const res = await converge();
    expect(res.code, res.text).toBe(0);
    expect(readFileSync(`${p.root}/log`, 'utf8')).toBe('first\n');
    expect(resource(res, 'command:first').status).toBe('changed');
    expect(resource(res, 'command:second').status).toBe('ok');
    expect((await plan()).code).toBe(0);
  });

  it('an unless that still fails after the run is the state\'s problem, not the module\'s', async () => {
    const { converge } = make(`resources:
  - command: wrong-guard
    run: "touch {{ root }}/made"
    unless: "test -e {{ root }}/other"
`);
    const res = await converge();
    expect(res.code, res.text).toBe(1);
    const r = resource(res, 'command:wrong-guard');
    expect(r.status).toBe('failed');
    expect(r.error).toContain('the command ran, its guard still fails: fix the guard or the command');
    expect(r.error).not.toContain('bug in');
    expect(r.error).not.toContain('not idempotent');
  });
});
