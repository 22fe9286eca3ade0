/** A bad `when` or `loop` through the real CLI: exit 1, each error at file:line:column, no stack trace, no host touched. */
import { existsSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { keel } from '../helpers/keel.js';
import { project } from '../engine/local-env.js';

const p = project(
  {
    bad: `resources:
  - file: "{{ root }}/created-by-good"
    content: "never written by a run with bad input\\n"
  - file: "{{ root }}/x"
    when: "env_nme == 'prod'"
  - file: "{{ root }}/{{ item }}"
    loop: "{{ env_name }}"
  - file: "{{ root }}/same"
    loop: [a, b]
`,
  },
  `vars: {env_name: prod}\nhosts:\n  localhost: {connection: local, states: [bad]}\n`,
);
afterAll(() => p.remove());

it('converge with a bad when and two bad loops: three errors in file order, nothing written', async () => {
  const r = await keel(['converge', '-i', p.inventory, '--var', `root=${p.root}`]);
  expect(r.code, r.stdout + r.stderr).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr).not.toMatch(/^\s+at /m);
  const S = `${p.dir}/states/bad.yaml`;
  const lines = r.stderr.replace(/^error: /, '').split('\n').filter((l) => l && !/^\s/.test(l));
  expect(lines).toEqual([
    `${S}:5:12: host localhost: undefined variable 'env_nme'; did you mean 'env_name'?`,
    `${S}:7:11: host localhost: loop: expected a list, "{{ env_name }}" gave "prod" (string)`,
    `${S}:9:15: host localhost: loop items 0 ("a", line 9) and 1 ("b") give the same id 'file:${p.root}/same'`,
  ]);
  expect(existsSync(`${p.root}/created-by-good`)).toBe(false);
});
