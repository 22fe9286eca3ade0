/**
 * Ctrl-C starts nothing new, hosts included: with --forks 1, a host still waiting for its turn is
 * not connected to, probed or changed, and says so in the report (exit 130). Real keel process,
 * real SIGINT to its process group, two `connection: local` hosts.
 */
import { existsSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { startKeel } from '../helpers/keel-process.js';
import { project } from './local-env.js';

const STATE = `resources:
  - command: slow
    run: "touch {{ root }}/started; until [ -e {{ root }}/go ]; do sleep 0.1; done; touch {{ root }}/{{ inventory_hostname }}-slow"
    creates: "{{ root }}/{{ inventory_hostname }}-slow"
  - file: "{{ root }}/{{ inventory_hostname }}-file"
    content: "written\\n"
`;
const p = project({ site: STATE }, '');
p.write('inventory.yaml', 'hosts:\n  first: {connection: local, states: [site]}\n  second: {connection: local, states: [site]}\n');
afterAll(() => p.remove());

it('a host that had not started when Ctrl-C came is not started', async () => {
  const run = startKeel(['converge', '--forks', '1', '--json', ...p.args], { group: true });
  while (!existsSync(`${p.root}/started`)) await new Promise((r) => setTimeout(r, 50));
  process.kill(-run.pid, 'SIGINT');
  await run.stderrMatches(/interrupted: finishing the step in flight/);
  p.write('root/go', '');
  const r = await run.done;
  expect(r.code, r.stderr).toBe(130);
  const [first, second] = JSON.parse(r.stdout).hosts;
  expect(first.resources.map((x: { status: string }) => x.status)).toEqual(['changed', 'skipped']);
  expect(second).toMatchObject({ host: 'second', status: 'failed', error: 'interrupted (Ctrl-C) before this host started', resources: [] });
  expect(existsSync(`${p.root}/first-slow`)).toBe(true);
  expect(existsSync(`${p.root}/second-slow`)).toBe(false);
  expect(existsSync(`${p.root}/first-file`) || existsSync(`${p.root}/second-file`)).toBe(false);
});
