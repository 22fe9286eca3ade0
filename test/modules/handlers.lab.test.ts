/**
 * Handlers on a real host (lab3): the command handler of docs/states.md runs exactly once when
 * both watched files change and never when none does (a counter file on the host), and plan
 * says "will run"; a systemd_unit that watches its drop-in reloads systemd when the drop-in
 * changes (once), and the service that watches the unit restarts with the new environment.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { docsYaml } from '../helpers/docs-example.js';
import { labSkip } from '../lab/lab-env.js';
import { expectInSync, hostReport, moduleHost, moduleProject, ok, onHost, res, uniq } from './module-lab.js';

describe.skipIf(!!labSkip)('handlers on a lab host', () => {
  const s = uniq();
  const host = moduleHost(2);
  const dir = `/etc/keel-h-${s}`;
  const counter = `/var/tmp/keel-h-${s}.count`;
  const unit = `keel-h-${s}`;
  const dropin = `/etc/systemd/system/${unit}.service.d`;
  const runs = async () => Number((await onHost(host, `cat ${counter} 2>/dev/null | wc -l`)).trim());

  afterAll(async () => {
    await onHost(
      host,
      `systemctl disable --now ${unit} 2>/dev/null; rm -rf ${dir} ${counter} ${dropin} /etc/systemd/system/${unit}.service; systemctl daemon-reload; true`,
    );
  });

  it('runs the docs command handler once for two changed files, never for none', async () => {
    const p = moduleProject(host);
    p.state(docsYaml('states.md', '## Handlers (watch/notify)').replaceAll('/etc/app', dir).replace('/var/log/app-reloads.log', counter));
    const id = 'command:reload-workers';
    const files = [`file:${dir}/workers.conf`, `file:${dir}/queues.conf`];

    const plan = await p.plan();
    ok(plan, 2);
    expect(res(plan.report, id)).toMatchObject({ action: 'none', status: 'planned', refresh: { action: 'run', because: files } });
    const text = await p.planText();
    expect(text.stdout).toContain(`  ~ ${id}  ${p.project.dir}/states/main.yaml:7 (will run: ${files.join(', ')} change)`);
    expect(await runs()).toBe(0);

    const first = await p.converge();
    ok(first);
    expect(await runs()).toBe(1);
    expect(res(first.report, id)).toMatchObject({ status: 'changed', refreshed: true, refresh: { action: 'run', because: files } });

    const second = await p.converge();
    ok(second);
    expect(hostReport(second.report).status).toBe('ok');
    expect(await runs()).toBe(1);
    await expectInSync(p);

    await onHost(host, `echo 'workers = 8' > ${dir}/workers.conf`);
    const third = await p.converge();
    ok(third);
    expect(res(third.report, id).refresh).toEqual({ action: 'run', because: [files[0]] });
    expect(await runs()).toBe(2);
  });

  it('reloads systemd when a watched drop-in changes, and restarts the service that watches the unit', async () => {
    const p = moduleProject(host, { level: 1 });
    p.state(`resources:
  - systemd_unit: ${unit}.service
    content: |
      [Service]
      ExecStart=/bin/sleep infinity
    watch: "file:${dropin}/level.conf"
  - directory: ${dropin}
  - file: ${dropin}/level.conf
    content: "[Service]\\nEnvironment=LEVEL={{ level }}\\n"
  - service: ${unit}
    running: true
    watch: systemd_unit:${unit}.service
`);
    const env = async () => (await onHost(host, `systemctl show -p Environment --value ${unit}; systemctl show -p NeedDaemonReload --value ${unit}`)).trim();
    const pid = async () => (await onHost(host, `systemctl show -p MainPID --value ${unit}`)).trim();
    const environ = async () => (await onHost(host, `tr '\\0' '\\n' < /proc/$(systemctl show -p MainPID --value ${unit})/environ | grep ^LEVEL=`)).trim();

    ok(await p.converge());
    expect(await env()).toBe('LEVEL=1\nno');
    expect(await environ()).toBe('LEVEL=1');
    const pid1 = await pid();
    await expectInSync(p);

    // only the drop-in changes: the unit's own file is in sync, its refresh reloads systemd
    const plan = await p.plan('--var', 'level=2');
    ok(plan, 2);
    expect(res(plan.report, `systemd_unit:${unit}.service`)).toMatchObject({
      action: 'none',
      refresh: { action: 'daemon-reload', because: [`file:${dropin}/level.conf`] },
    });
    expect(res(plan.report, `service:${unit}`).refresh).toEqual({ action: 'restart', because: [`systemd_unit:${unit}.service`] });
    const text = await p.planText('--var', 'level=2');
    expect(text.stdout).toContain(`(will daemon-reload: file:${dropin}/level.conf changes)`);
    expect(text.stdout).toContain(`(will restart: systemd_unit:${unit}.service changes)`);

    const conv = await p.converge('--var', 'level=2');
    ok(conv);
    // planned again once the drop-in is written, the unit finds systemd's NeedDaemonReload set
    // (systemd tracks drop-ins): its own apply reloads systemd, once, and no refresh repeats it
    const u = res(conv.report, `systemd_unit:${unit}.service`);
    expect(u).toMatchObject({ status: 'changed', changes: [{ field: 'needs_daemon_reload', from: true, to: false }] });
    expect(u.refreshed).toBeUndefined();
    expect(res(conv.report, `service:${unit}`)).toMatchObject({ refreshed: true, refresh: { action: 'restart' } });
    expect(await env()).toBe('LEVEL=2\nno');
    expect(await pid()).not.toBe(pid1);
    expect(await environ()).toBe('LEVEL=2');
    await expectInSync(p, '--var', 'level=2');
  });
});
