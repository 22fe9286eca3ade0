/**
 * Handlers (watch/notify) over the real local transport: the docs' command handler runs once
 * however many of its triggers changed and never when none did; plan says what will be
 * refreshed; a command notified while its guard holds runs anyway, and one that runs by its
 * guard is not run a second time for the notification.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { docsYaml } from '../helpers/docs-example.js';
import { project, type Project } from './local-env.js';
import { resource, runLocal } from './run-local.js';

const projects: Project[] = [];
afterAll(() => projects.forEach((p) => p.remove()));
const count = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean).length : 0);

describe('the command handler of docs/states.md', () => {
  const p = project({});
  projects.push(p);
  const dir = `${p.root}/etc/app`;
  const log = `${p.root}/reloads.log`;
  p.write('states/app.yaml', docsYaml('states.md', '## Handlers (watch/notify)').replaceAll('/etc/app', dir).replace('/var/log/app-reloads.log', log));
  p.write('inventory.yaml', 'hosts:\n  localhost:\n    connection: local\n    states: [app]\n');
  const id = 'command:reload-workers';
  const files = [`file:${dir}/workers.conf`, `file:${dir}/queues.conf`];

  it('plans the run as a refresh of a resource in sync, and says why', async () => {
    const plan = await runLocal('plan', p.inventory);
    expect(plan.code, plan.text).toBe(2);
    expect(resource(plan, id)).toMatchObject({ action: 'none', status: 'planned', refresh: { action: 'run', because: files } });
    expect(plan.report.hosts[0].status).toBe('drift');
    expect(plan.text).toContain(`  ~ ${id}  ${p.dir}/states/app.yaml:7 (will run: ${files.join(', ')} change)`);
    expect(count(log)).toBe(0);
  });

  it('runs it once after both files changed, then never while they stay', async () => {
    const first = await runLocal('converge', p.inventory);
    expect(first.code, first.text).toBe(0);
    expect(count(log)).toBe(1);
    expect(resource(first, id)).toMatchObject({ status: 'changed', refreshed: true, refresh: { action: 'run', because: files } });
    expect(first.text).toContain(`(refreshed: run after ${files.join(', ')} changed)`);
    const order = first.report.hosts[0].resources.map((r) => r.id);
    expect(order.indexOf(id)).toBeGreaterThan(Math.max(...files.map((f) => order.indexOf(f))));

    const second = await runLocal('converge', p.inventory);
    expect(count(log)).toBe(1);
    expect(resource(second, id)).toMatchObject({ action: 'none', status: 'ok' });
    expect(resource(second, id).refresh).toBeUndefined();
    const plan = await runLocal('plan', p.inventory);
    expect(plan.report.hosts[0].status).toBe('in-sync');
  });

  it('runs it again for one changed file', async () => {
    writeFileSync(`${dir}/queues.conf`, 'queues = default\n');
    const plan = await runLocal('plan', p.inventory);
    expect(resource(plan, id).refresh).toEqual({ action: 'run', because: [files[1]] });
    expect(plan.text).toContain(`(will run: ${files[1]} changes)`);
    await runLocal('converge', p.inventory);
    expect(count(log)).toBe(2);
  });
});

describe('refresh: run with guards', () => {
  it('runs when notified although its guard holds, and once when its guard also says run', async () => {
    const p = project({
      app: `resources:
  - file: "{{ root }}/a.conf"
    content: "v{{ v }}\\n"
    notify: [command:guarded, command:unguarded-by-creates]
  - command: guarded
    run: echo run >> {{ root }}/guarded.log
    creates: "{{ root }}/a.conf"
    refresh: run
  - command: unguarded-by-creates
    run: "echo run >> {{ root }}/second.log; touch {{ root }}/done"
    creates: "{{ root }}/done"
    refresh: run
`,
    });
    projects.push(p);
    const run = (v: number) => runLocal('converge', p.inventory, { vars: [`root=${p.root}`, `v=${v}`] });
    const first = await run(1);
    expect(first.code, first.text).toBe(0);
    // a.conf exists once it is written: the guard holds, the notification runs it
    expect(count(`${p.root}/guarded.log`)).toBe(1);
    expect(resource(first, 'command:guarded')).toMatchObject({ action: 'none', refreshed: true });
    // done did not exist: the command ran by its guard, and the notification did not run it again
    expect(count(`${p.root}/second.log`)).toBe(1);
    expect(resource(first, 'command:unguarded-by-creates')).toMatchObject({ action: 'update', status: 'changed' });
    expect(resource(first, 'command:unguarded-by-creates').refreshed).toBeUndefined();

    await run(1);
    expect([count(`${p.root}/guarded.log`), count(`${p.root}/second.log`)]).toEqual([1, 1]);
    await run(2);
    expect([count(`${p.root}/guarded.log`), count(`${p.root}/second.log`)]).toEqual([2, 2]);
  });
});

describe('--tags and a chain of handlers', () => {
  it('a tagged change runs its handler and the handler that watches that one', async () => {
    const p = project({});
    projects.push(p);
    const log = `${p.root}/chain.log`;
    p.write(
      'states/app.yaml',
      `resources:
  - file: ${p.root}/a.conf
    content: "a\\n"
    tags: [cfg]
    notify: [command:first]
  - command: first
    run: echo first >> ${log}
    refresh: run
  - command: second
    run: echo second >> ${log}
    refresh: run
    watch: [command:first]
`,
    );
    p.write('inventory.yaml', 'hosts:\n  localhost:\n    connection: local\n    states: [app]\n');
    const run = await runLocal('converge', p.inventory, { tags: ['cfg'] });
    expect(run.code, run.text).toBe(0);
    expect(readFileSync(log, 'utf8')).toBe('first\nsecond\n');
    expect(resource(run, 'command:second')).toMatchObject({ refreshed: true, refresh: { action: 'run', because: ['command:first'] } });
  });
});
