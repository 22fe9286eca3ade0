/**
 * The run's total in --json (summary.counts) is the text's `Plan (N hosts): ...` line: the hosts'
 * counts added up, an unreachable host (here an SSH port on loopback that nothing listens on) and
 * a host whose plan failed left out; after converge, what was applied.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { project } from './local-env.js';
import { runLocal } from './run-local.js';

const p = project(
  {
    site: `resources:
  - file: "{{ root }}/{{ inventory_hostname }}.conf"
    content: "x\\n"
  - command: "mark-{{ inventory_hostname }}"
    run: "touch {{ root }}/{{ inventory_hostname }}.mark"
    creates: "{{ root }}/{{ inventory_hostname }}.mark"
`,
    // a directory where a regular file is: its plan fails
    broken: `resources:\n  - directory: "{{ root }}/a-file"\n`,
  },
  `hosts:
  h1: {connection: local, states: [site]}
  h2: {connection: local, states: [site]}
  bad: {connection: local, states: [site, broken]}
  gone: {address: 127.0.0.1, port: 1, user: nobody, states: [site]}
`,
);
afterAll(() => p.remove());
writeFileSync(join(p.root, 'a-file'), 'a regular file\n');
const vars = [`root=${p.root}`];

describe('summary.counts', () => {
  it('adds up the hosts that were planned, as the text total does', async () => {
    const plan = await runLocal('plan', p.inventory, { vars });
    const byHost = Object.fromEntries(plan.report.hosts.map((h) => [h.host, h.status]));
    expect(byHost).toEqual({ h1: 'drift', h2: 'drift', bad: 'failed', gone: 'unreachable' });
    expect(plan.report.summary.counts).toEqual({ add: 2, change: 0, destroy: 0, run: 2, refresh: 0, mayChange: 0 });
    expect(plan.text).toContain('\nPlan (2 hosts): 2 to add, 0 to change, 0 to destroy, 2 to run, 0 to refresh\n');
  });

  it('after converge: what was applied, the failed host with what it did apply', async () => {
    // the three hosts are this machine: the host lock (as the CLI takes it) runs them one at a time
    const lock = { timeoutSeconds: 60, command: 'summary-counts test', dir: join(p.dir, 'locks') };
    const conv = await runLocal('converge', p.inventory, { vars, limit: 'h1,h2,bad', lock });
    // bad's own file and command were applied before its directory failed
    expect(conv.report.summary.counts).toEqual({ add: 3, change: 0, destroy: 0, run: 3, refresh: 0, mayChange: 0 });
    expect(conv.text).toContain('\nApplied (3 hosts): 3 added, 0 changed, 0 destroyed, 3 run, 0 refreshed\n');
  });
});
