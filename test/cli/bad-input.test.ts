/**
 * Bad input through the real CLI: exit 1, one clear message per error with its exact
 * file:line:column, no stack trace, and no host touched (a file that a good resource of the same
 * run would create does not exist). `validate` reports the same without touching anything;
 * `graph` draws the edges.
 */
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { builtinModules } from '../../modules/index.js';
import { loadInventory, parseVarArgs, selectHosts } from '../../src/config/index.js';
import { compileJobs } from '../../src/engine/compile.js';
import { ConfigErrors } from '../../src/errors.js';
import { keel, type KeelResult } from '../helpers/keel.js';
import { project } from '../engine/local-env.js';

const GOOD = `resources:
  - file: "{{ root }}/created-by-good"
    content: "must never be written by a run with bad input\\n"
`;

const STATES: Record<string, string> = {
  good: GOOD,
  common: 'resources: []\n',
  // one of each field-level mistake
  errs: `resources:
  - file: "{{ root }}/also-good"
    content: "x\\n"
  - fiel: "{{ root }}/typo"
  - file: "{{ root }}/m"
    modee: "0644"
  - file: "{{ root }}/t"
    mode: 644
  - command: greet
    run: "echo {{ greting }}"
`,
  cyc: `resources:
  - command: a
    run: "true"
    require: command:b
  - command: b
    run: "true"
    require: command:a
  - command: c
    run: "true"
`,
  inc: `include: [commons]
resources:
  - command: c
    run: "true"
`,
  norefresh: `resources:
  - file: "{{ root }}/app.conf"
    content: "x\\n"
    notify: command:migrate
  - command: migrate
    run: "true"
`,
  badyaml: `resources:
  - file: "{{ root }}/y"
    content: "unclosed
  - file: "{{ root }}/z"
`,
};

const p = project(STATES, '');
afterAll(() => p.remove());
const inv = (name: string, hosts: Record<string, string[]>, extra = '') => {
  const body = Object.entries(hosts)
    .map(([h, states]) => `  ${h}:\n    connection: local\n    states: [${states.join(', ')}]\n`)
    .join('');
  return p.write(`${name}.yaml`, `${extra}hosts:\n${body}`);
};
const invs = {
  errs: inv('inv-errs', { localhost: ['good', 'errs'] }, 'vars: {greeting: hello}\n'),
  cycle: inv('inv-cycle', { localhost: ['good', 'cyc'] }),
  include: inv('inv-include', { localhost: ['good', 'inc'] }),
  yaml: inv('inv-yaml', { localhost: ['good', 'badyaml'] }),
  missing: inv('inv-missing', { localhost: ['good', 'comon'] }),
  norefresh: inv('inv-norefresh', { localhost: ['good', 'norefresh'] }),
  all: inv('inv-all', { web1: ['good', 'errs'], web2: ['good', 'cyc'], web3: ['good', 'inc'] }, 'vars: {greeting: hello}\n'),
  good: inv('inv-good', { web1: ['good', 'common'], web2: ['good'] }),
};

const S = (name: string) => `${p.dir}/states/${name}.yaml`;
const run = (cmd: string, inventory: string, extra: string[] = []) => keel([cmd, '-i', inventory, '--var', `root=${p.root}`, ...extra]);

/** stderr's messages: each starts with "error: " or a file:line:column; hints and chains follow. */
function messages(r: KeelResult): string[] {
  return r.stderr
    .replace(/^error: /, '')
    .split('\n')
    .filter((l) => l && !/^\s/.test(l));
}

function expectCleanFailure(r: KeelResult) {
  expect(r.code, r.stdout + r.stderr).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr.startsWith('error: ')).toBe(true);
  expect(r.stderr).not.toMatch(/^\s+at /m); // no stack trace
  expect(r.stderr).not.toMatch(/\n\s*\n/); // no blank lines, no noise
  expect(existsSync(`${p.root}/created-by-good`)).toBe(false);
  expect(existsSync(`${p.root}/also-good`)).toBe(false);
}

/** The list of module types grows as modules land: match it loosely, the rest exactly. */
const UNKNOWN_MODULE = new RegExp(
  `^${escape(`${S('errs')}:4:5: resource has no module type: expected one of `)}command, (\\w+, )*directory, (\\w+, )*file(, \\w+)*${escape("; did you mean 'file' for 'fiel'?")}$`,
);
const ERRS = [
  `${S('errs')}:6:5: unknown key 'modee' for file: did you mean 'mode'?`,
  `${S('errs')}:8:11: resources[3].mode: expected string matching ^0?[0-7]{3,4}$, found 644 (number)`,
];
const UNDEF = `${S('errs')}:10:19: host localhost: undefined variable 'greting'`;

describe.concurrent('bad input through the CLI: exit 1, file:line:column, nothing touched', () => {
  it('several mistakes in one file are all reported, each once, in file order', async () => {
    const r = await run('plan', invs.errs);
    expectCleanFailure(r);
    const msgs = messages(r);
    expect(msgs[0]).toMatch(UNKNOWN_MODULE);
    expect(msgs.slice(1, 3)).toEqual(ERRS);
    expect(msgs[3]).toMatch(new RegExp(`^${escape(UNDEF)}(; did you mean 'greeting'\\?)?$`));
    expect(msgs).toHaveLength(4);
  });

  it('malformed YAML', async () => {
    const r = await run('plan', invs.yaml);
    expectCleanFailure(r);
    const msgs = messages(r);
    expect(msgs.length).toBeGreaterThanOrEqual(1);
    expect(msgs[0]).toMatch(new RegExp(`^${escape(S('badyaml'))}:\\d+:\\d+: invalid YAML: `));
    expect(msgs[0].startsWith(`${S('badyaml')}:3:`) || msgs[0].startsWith(`${S('badyaml')}:4:`)).toBe(true);
  });

  it('a dependency cycle names every member with file:line', async () => {
    const r = await run('converge', invs.cycle);
    expectCleanFailure(r);
    expect(messages(r)).toEqual([`${S('cyc')}:5:5: dependency cycle between 2 resources:`]);
    expect(r.stderr).toContain(`command:a (${S('cyc')}:2)`);
    expect(r.stderr).toContain(`command:b (${S('cyc')}:5)`);
    expect(r.stderr).not.toContain('command:c (');
  });

  it('a missing include, with a did-you-mean', async () => {
    const r = await run('plan', invs.include);
    expectCleanFailure(r);
    expect(messages(r)).toEqual([`${S('inc')}:1:11: state 'commons' not found: expected ${p.dir}/states/commons.yaml; did you mean 'common'?`]);
  });

  it('a notify of a command without refresh: run, at the reference, in converge and validate', async () => {
    const [conv, val] = await Promise.all([run('converge', invs.norefresh), run('validate', invs.norefresh)]);
    expectCleanFailure(conv);
    const msg = `${S('norefresh')}:4:13: host localhost, resource file:${p.root}/app.conf: notify command:migrate: command:migrate (type command) cannot be refreshed when file:${p.root}/app.conf changes: a command has a refresh only with "refresh: run"; types with a refresh: command (with refresh: run), `;
    for (const r of [conv, val]) {
      expect(r.code).toBe(1);
      expect(messages(r)).toHaveLength(1);
      expect(messages(r)[0]).toMatch(new RegExp(`^${escape(msg)}(\\w+, )*service, systemd_unit$`));
      expect(r.stderr).toContain('  hint: add "refresh: run" to command:migrate, or write before: command:migrate for the order alone');
    }
  });

  it('an inventory naming a missing state', async () => {
    const r = await run('plan', invs.missing);
    expectCleanFailure(r);
    expect(messages(r)).toEqual([`${invs.missing}:4:20: state 'comon' not found: expected ${p.dir}/states/comon.yaml; did you mean 'common'?`]);
  });

  it('errors of several hosts and kinds in one run: every one reported', async () => {
    const r = await run('converge', invs.all);
    expectCleanFailure(r);
    const msgs = messages(r);
    for (const e of ERRS) expect(msgs).toContain(e);
    expect(msgs.filter((m) => UNKNOWN_MODULE.test(m))).toHaveLength(1);
    expect(msgs.some((m) => m.startsWith(`${S('errs')}:10:19: host web1: undefined variable 'greting'`))).toBe(true);
    expect(msgs).toContain(`${S('cyc')}:5:5: dependency cycle between 2 resources:`);
    expect(msgs.some((m) => m.startsWith(`${S('inc')}:1:11: state 'commons' not found`))).toBe(true);
    expect(msgs).toHaveLength(6);
  });

  it('validate reports the same errors without touching anything', async () => {
    const r = await run('validate', invs.all);
    expectCleanFailure(r);
    const msgs = messages(r);
    for (const e of ERRS) expect(msgs).toContain(e);
    expect(msgs.filter((m) => UNKNOWN_MODULE.test(m))).toHaveLength(1);
    expect(msgs).toContain(`${S('cyc')}:5:5: dependency cycle between 2 resources:`);
    expect(msgs).toHaveLength(6);
  });

  it('validate says ok for a good inventory, and touches nothing', async () => {
    const r = await run('validate', invs.good);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('ok: 2 host(s), 2 resource(s), no errors');
    expect(existsSync(`${p.root}/created-by-good`)).toBe(false);
  });

  it('graph --format dot and mermaid contain the edges', async () => {
    p.write(
      'states/graph.yaml',
      `resources:
  - directory: "{{ root }}/d"
  - file: "{{ root }}/d/f"
    content: "x\\n"
  - command: c
    run: "true"
    creates: "{{ root }}/d/done"
    refresh: run
    watch: "file:{{ root }}/d/f"
  - command: first
    run: "true"
    creates: "{{ root }}/d/first"
    before: command:c
`,
    );
    const gi = inv('inv-graph', { localhost: ['graph'] });
    const [dot, mermaid] = await Promise.all([run('graph', gi), run('graph', gi, ['--format', 'mermaid'])]);
    const d = `directory:${p.root}/d`;
    const f = `file:${p.root}/d/f`;
    expect(dot.code, dot.stderr).toBe(0);
    expect(dot.stdout).toMatch(/^digraph "localhost" \{/);
    expect(dot.stdout).toContain(`"${d}" -> "${f}" [style=dotted];`); // automatic: parent directory
    expect(dot.stdout).toContain(`"${f}" -> "command:c" [style=dashed, label="watch"];`);
    expect(dot.stdout).toContain(`"command:first" -> "command:c";`); // before
    expect(dot.stdout.match(/->/g)).toHaveLength(3);

    expect(mermaid.code, mermaid.stderr).toBe(0);
    expect(mermaid.stdout.startsWith('flowchart LR\n')).toBe(true);
    const ids = new Map([...mermaid.stdout.matchAll(/^\s+(r\d+)\["([^"]+)"\]$/gm)].map((m) => [m[2], m[1]]));
    expect([...ids.keys()].sort()).toEqual(['command:c', 'command:first', d, f].sort());
    expect(mermaid.stdout).toContain(`${ids.get(d)} -.-> ${ids.get(f)}`);
    expect(mermaid.stdout).toContain(`${ids.get(f)} -. watch .-> ${ids.get('command:c')}`);
    expect(mermaid.stdout).toContain(`${ids.get('command:first')} --> ${ids.get('command:c')}`);
  });
});

describe('each field-level mistake alone gives exactly one error (in-process, same code as the CLI)', () => {
  const only = (state: string) => {
    const q = project({ one: state });
    try {
      const i = loadInventory(q.inventory, { vars: parseVarArgs([`root=${q.root}`]) });
      compileJobs(i, selectHosts(i), builtinModules);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigErrors);
      return { errors: (e as ConfigErrors).errors.map((x) => x.format()), file: `${q.dir}/states/one.yaml` };
    } finally {
      q.remove();
    }
    throw new Error('no error');
  };

  it.each([
    ['unknown module', `resources:\n  - pgk: nginx\n`, `2:5: resource has no module type`],
    ['misspelt key', `resources:\n  - file: /tmp/x\n    contnet: "a"\n`, `3:5: unknown key 'contnet' for file: did you mean 'content'?`],
    ['wrong type', `resources:\n  - directory: /tmp/x\n    force: "yes"\n`, `3:12: resources[0].force: expected boolean`],
    ['undefined variable', `resources:\n  - file: "{{ roo }}/x"\n`, `2:15: host localhost: undefined variable 'roo'; did you mean 'root'?`],
    ['missing required key', `resources:\n  - command: x\n    creates: /tmp/x\n`, `2:5: missing required key 'run' for command`],
    ['unknown reference', `resources:\n  - command: x\n    run: "true"\n    require: command:y\n`, `4:14:`],
  ])('%s', (_name, state, expected) => {
    const { errors, file } = only(state);
    expect(errors).toHaveLength(1);
    expect(errors[0].startsWith(`${file}:${expected}`), errors[0]).toBe(true);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
