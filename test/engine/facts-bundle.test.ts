/**
 * Facts inside bundles: an instance's `when:` on facts, and its states and templates reading
 * facts, make the host pay the facts round trip and render with the host's own facts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadInventory, selectHosts } from '../../src/config/index.js';
import { builtinModules } from '../../modules/index.js';
import { compileJobs } from '../../src/engine/compile.js';
import { loadErrors } from '../helpers/config-errors.js';
import { project } from './local-env.js';
import { runLocal } from './run-local.js';

describe('facts in bundle instances', () => {
  const p = project({}, '');
  afterAll(() => p.remove());
  p.write('bundles/info/bundle.yaml', 'description: A file that says what the host is.\nparams:\n  label: {type: string}\n');
  p.write('bundles/info/states/info.yaml', 'resources:\n  - template: "{{ root }}/{{ label }}.txt"\n    source: templates/info.j2\n');
  p.write('bundles/info/templates/info.j2', '{{ label }} {{ facts.os.family }}\n');
  p.write('bundles/plain/bundle.yaml', 'description: No facts here.\nparams:\n  label: {type: string}\n');
  p.write('bundles/plain/states/plain.yaml', 'resources:\n  - file: "{{ root }}/{{ label }}.txt"\n    content: "{{ label }}\\n"\n');
  p.write('states/base.yaml', 'resources:\n  - directory: "{{ root }}"\n');
  p.write(
    'inventory.yaml',
    `hosts:
  reads:
    connection: local
    vars: {root: "${p.root}/reads"}
    states:
      - base
      - {bundle: info, name: one, with: {label: one}, when: "facts.os.family == 'debian'"}
      - {bundle: info, name: two, with: {label: two}, when: "facts.os.family == 'redhat'"}
  plain:
    connection: local
    vars: {root: "${p.root}/plain"}
    states: [base, {bundle: plain, name: p, with: {label: p}}]
`,
  );

  it('only the host whose instances read facts pays for them; validate finds no error', () => {
    expect(loadErrors(p.inventory)).toEqual([]);
    const inv = loadInventory(p.inventory);
    expect(Object.fromEntries(compileJobs(inv, selectHosts(inv), builtinModules).map((j) => [j.host.name, !!j.recompile]))).toEqual({ reads: true, plain: false });
  });

  it('plan renders the instance whose when holds on this Debian machine with its facts; the other is not planned', async () => {
    const plan = await runLocal('plan', p.inventory);
    const reads = plan.report.hosts.find((h) => h.host === 'reads')!;
    const changing = reads.resources.filter((r) => r.status !== 'skipped').map((r) => r.id);
    expect(changing).toEqual([`directory:${p.root}/reads`, `info[one]/template:${p.root}/reads/one.txt`]);
    expect(reads.resources[1].diff, plan.text).toContain('+one debian');
  });
});
