/**
 * Facts in states: which hosts' states read `facts` (and so pay the facts round trip), the
 * placeholder validate and graph compile with, the reserved name, and a state that is wrong only
 * with the host's real facts (the host fails with the error, nothing applied). Real
 * LocalTransport, real shell.
 */
import { existsSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { flattenErrors, loadInventory, parseVarArgs, selectHosts } from '../../src/config/index.js';
import type { KeelError } from '../../src/errors.js';
import { builtinModules } from '../../modules/index.js';
import { compileJobs } from '../../src/engine/compile.js';
import { loadErrors } from '../helpers/config-errors.js';
import { REPO, keel } from '../helpers/keel.js';
import { project } from './local-env.js';
import { runLocal } from './run-local.js';

/** One local host per state; `vars.root` is the host's own directory. */
function hostsProject(states: Record<string, string>, files: Record<string, string> = {}) {
  const p = project({}, '');
  for (const [name, text] of Object.entries(states)) p.write(`states/${name}.yaml`, text);
  for (const [rel, text] of Object.entries(files)) p.write(rel, text);
  const hosts = Object.keys(states).map((h) => `  ${h}:\n    connection: local\n    states: [${h}]\n    vars: {root: "${p.root}/${h}"}`);
  p.write('inventory.yaml', `hosts:\n${hosts.join('\n')}\n`);
  return p;
}

describe('which hosts read facts (compiled once with the placeholder)', () => {
  const p = hostsProject(
    {
      value: 'resources:\n  - file: "{{ root }}/a"\n    content: "{{ facts.hostname }}"\n',
      template: 'resources:\n  - template: "{{ root }}/t"\n    source: t.j2\n',
      unit: 'resources:\n  - systemd_unit: keel-facts-test.service\n    template: u.j2\n',
      untaken: 'resources:\n  - file: "{{ root }}/b"\n    content: "{% if false %}{{ facts.os.id }}{% endif %}x"\n',
      merged: 'resources:\n  - template: "{{ root }}/m"\n    source: plain.j2\n    vars: {extra: 1}\n',
      none: 'resources:\n  - file: "{{ root }}/c"\n    content: "{{ inventory_hostname }}"\n',
    },
    {
      'states/t.j2': '{% for a in facts.addresses %}{{ a }}\n{% endfor %}',
      'states/u.j2': '[Service]\nExecStart=/bin/echo {{ facts.cpus }}\n',
      'states/plain.j2': '{{ extra }}\n',
    },
  );
  afterAll(() => p.remove());

  it('a state value, a template file, a unit template and a mention in a branch not taken read them; a vars merge does not', () => {
    const inv = loadInventory(p.inventory);
    const reads = Object.fromEntries(compileJobs(inv, selectHosts(inv), builtinModules).map((j) => [j.host.name, !!j.recompile]));
    expect(reads).toEqual({ value: true, template: true, unit: true, untaken: true, merged: false, none: false });
  });

  it('the placeholder has the shape and types of real facts: validate finds no error', () => {
    expect(loadErrors(p.inventory)).toEqual([]);
  });
});

function loadErrorsWith(inventory: string, vars: string[]): string[] {
  try {
    loadInventory(inventory, { vars: parseVarArgs(vars) });
    return [];
  } catch (e) {
    return flattenErrors([e as KeelError]).map((x) => x.message);
  }
}

describe('bad input about facts', () => {
  it('a misspelt fact: an error at the state line with did-you-mean, before any host is touched', () => {
    const p = hostsProject({ h: 'resources:\n  - file: "{{ root }}/a"\n    content: "{{ facts.os.famly }}"\n' });
    try {
      const msgs = loadErrors(p.inventory).map((e) => e.format());
      expect(msgs).toHaveLength(1);
      expect(msgs[0]).toMatch(/states\/h\.yaml:3:\d+: .*undefined variable 'facts\.os\.famly'; did you mean 'family'\?\n  hint: facts are gathered from the host/);
    } finally {
      p.remove();
    }
  });

  it("'facts' is reserved: in inventory vars at any level (file:line:col) and in --var", () => {
    const p = project({}, '');
    try {
      p.write('states/s.yaml', 'resources: []\n');
      p.write('inventory.yaml', 'vars:\n  facts: 1\ngroups:\n  g:\n    hosts: [h]\n    vars: {facts: {os: x}}\nhosts:\n  h:\n    connection: local\n    states: [s]\n    vars:\n      facts: 2\n');
      const msgs = loadErrors(p.inventory).map((e) => e.format());
      expect(msgs).toHaveLength(3);
      for (const [line, col] of [[2, 3], [6, 12], [12, 7]]) {
        expect(msgs.some((m) => m.startsWith(`${p.inventory}:${line}:${col}: variable 'facts' is reserved for the host's facts`))).toBe(true);
      }
      p.write('inventory.yaml', 'hosts:\n  h:\n    connection: local\n    states: [s]\n');
      expect(loadErrorsWith(p.inventory, ['facts.os.family=debian'])).toEqual([`--var facts: 'facts' is reserved for the host's facts`]);
    } finally {
      p.remove();
    }
  });

  it('a state wrong only with the host\'s real facts: that host fails with the error at file:line, nothing applied; the other host converges', async () => {
    // the placeholder's hostname is 'placeholder': a valid mode; this machine's is another: an invalid one
    const p = hostsProject({
      wrong: 'resources:\n  - file: "{{ root }}/w"\n    content: "x"\n    mode: "{{ \'0644\' if facts.hostname == \'placeholder\' else \'rw-r--r--\' }}"\n',
      fine: 'resources:\n  - directory: "{{ root }}"\n  - file: "{{ root }}/f"\n    content: "{{ facts.arch }}\\n"\n',
    });
    try {
      const run = await runLocal('converge', p.inventory);
      expect(run.code).toBe(1);
      const wrong = run.report.hosts.find((h) => h.host === 'wrong')!;
      expect(wrong.status).toBe('failed');
      expect(wrong.resources).toEqual([]);
      expect(wrong.error).toMatch(new RegExp(`${p.dir}/states/wrong\\.yaml:4:\\d+: .*mode`));
      expect(wrong.error).not.toMatch(/\n\s+at /); // no stack trace
      expect(wrong.error).toMatch(/hint: with this host's facts \(debian \S+, \S+\); keel validate checks states with placeholder facts only/);
      expect(existsSync(`${p.root}/wrong`)).toBe(false);
      expect(run.report.hosts.find((h) => h.host === 'fine')!.status).not.toBe('failed');
      expect(readFileSync(`${p.root}/fine/f`, 'utf8')).toBe(`${process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'aarch64' : process.arch}\n`);
    } finally {
      p.remove();
    }
  });
});

describe('facts in logs', () => {
  it('a fact that holds the value of a sensitive variable is redacted in the debug log of the facts', async () => {
    const p = project(
      { s: 'resources:\n  - file: "{{ root }}/k"\n    content: "kernel {{ facts.kernel }}"\n' },
      `vars:\n  kernel_secret: "${release()}"\nsensitive_vars: [kernel_secret]\nhosts:\n  localhost:\n    connection: local\n    states: [s]\n`,
    );
    try {
      const res = await keel(['plan', ...p.args, '--log-level', 'debug']);
      expect(res.code, res.stderr).toBe(2);
      expect(res.stdout + res.stderr).not.toContain(release());
      const line = res.stderr.split('\n').find((l) => l.includes('"msg":"facts"'));
      expect(JSON.parse(line!).facts).toMatchObject({ kernel: '(sensitive)', osFamily: 'debian' });
      expect(res.stdout).toContain('+kernel (sensitive)');
    } finally {
      p.remove();
    }
  });
});

describe('the example of docs/states.md#facts', () => {
  const docs = readFileSync(join(REPO, 'docs', 'states.md'), 'utf8');
  const section = docs.slice(docs.indexOf('## Facts'));
  const example = /```yaml\n([\s\S]*?)```/.exec(section)![1];
  const template = /# (\{\{ facts[^\n]*)/.exec(example)![1];

  it('validates, and plans on this Debian machine with its facts: the motd shows them, the when holds', async () => {
    const p = project({ motd: example });
    try {
      p.write('states/motd.j2', `${template}\n`);
      expect(loadErrors(p.inventory)).toEqual([]);
      const plan = await runLocal('plan', p.inventory);
      const ids = plan.report.hosts[0].resources.map((r) => r.id);
      expect(ids).toEqual(['template:/etc/motd', 'pkg:unattended-upgrades']);
      const motd = plan.report.hosts[0].resources[0];
      expect(motd.diff ?? '', plan.text).toMatch(/^\+debian [1-9]\d* \S+$/m);
    } finally {
      p.remove();
    }
  });
});
