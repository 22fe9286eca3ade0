/** systemd_unit on a real host: the file is written and systemd reloaded (NeedDaemonReload=no), drift both ways. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labSkip } from '../lab/lab-env.js';
import { change, expectInSync, hostReport, moduleHost, moduleProject, ok, onHost, res, uniq, type ModuleProject } from './module-lab.js';

describe.skipIf(!!labSkip)('systemd_unit module on a lab host', () => {
  const unit = `keel-u-${uniq()}.service`;
  const path = `/etc/systemd/system/${unit}`;
  const id = `systemd_unit:${unit}`;
  // systemctl show prints properties in its own order: one --value call per property keeps ours
  const show = (h: ModuleProject['host']) =>
    onHost(h, `for p in LoadState NeedDaemonReload Description; do printf '%s=' $p; systemctl show -p $p --value ${unit}; done`);
  let p: ModuleProject;

  beforeAll(() => {
    p = moduleProject(moduleHost(1));
    p.state(`resources:
  - systemd_unit: ${unit}
    content: |
      [Unit]
      Description=keel test {{ inventory_hostname }}
      [Service]
      ExecStart=/bin/sleep infinity
`);
  });

  afterAll(async () => {
    await onHost(p.host, `systemctl stop ${unit}; rm -f ${path}; systemctl daemon-reload`);
  });

  it('writes the unit, reloads systemd, is in sync, and finds hand edits and a pending reload', async () => {
    const plan = await p.plan();
    ok(plan, 2);
    expect(res(plan.report, id).action).toBe('create');
    expect(res(plan.report, id).diff).toContain(`+Description=keel test ${p.host.name}`);

    ok(await p.converge());
    expect(await onHost(p.host, `stat -c '%a %U %G' ${path}`)).toBe('644 root root\n');
    expect(await show(p.host)).toBe(`LoadState=loaded\nNeedDaemonReload=no\nDescription=keel test ${p.host.name}\n`);
    await expectInSync(p);

    // systemd forgets a unit nobody uses (and reads it afresh): a running unit stays loaded, so
    // that a file changed behind systemd's back shows as NeedDaemonReload=yes
    await onHost(p.host, `systemctl start ${unit}`);
    // by hand: edit the file without telling systemd
    await onHost(p.host, `sed -i 's/^Description=.*/Description=edited/' ${path}`);
    expect(await show(p.host)).toContain('NeedDaemonReload=yes');
    const drift = await p.plan();
    ok(drift, 2);
    expect(res(drift.report, id).diff).toContain('-Description=edited');
    expect(res(drift.report, id).diff).toContain(`+Description=keel test ${p.host.name}`);
    ok(await p.converge());
    expect(await show(p.host)).toBe(`LoadState=loaded\nNeedDaemonReload=no\nDescription=keel test ${p.host.name}\n`);

    // the right file that systemd has not loaded yet (an edit reverted by hand without daemon-reload)
    await onHost(p.host, `cp ${path} /tmp/${unit} && sed -i 's/^Description=.*/Description=other/' ${path} && systemctl daemon-reload && cp /tmp/${unit} ${path}`);
    expect(await show(p.host)).toContain('NeedDaemonReload=yes');
    const reload = await p.plan();
    ok(reload, 2);
    expect(change(reload.report, id, 'needs_daemon_reload')).toEqual({ field: 'needs_daemon_reload', from: true, to: false });
    expect(res(reload.report, id).diff ?? '').toBe('');
    const conv = await p.converge();
    ok(conv);
    expect(hostReport(conv.report).status).toBe('changed');
    expect(await show(p.host)).toBe(`LoadState=loaded\nNeedDaemonReload=no\nDescription=keel test ${p.host.name}\n`);
    await expectInSync(p);
  });

  it('a batch of unit files is planned again once something ran: a unit put right meanwhile is not rewritten', async () => {
    const [a, b] = [`keel-ua-${uniq()}.service`, `keel-ub-${uniq()}.service`];
    const unitText = (d: string) => `[Unit]\nDescription=${d}\n[Service]\nExecStart=/bin/sleep infinity\n`;
    const q = moduleProject(moduleHost(1));
    try {
      // the command writes b's unit exactly as declared, after the batch probe saw it missing; no
      // relation makes a or b wait for it (declaration order does), so both are certain and batched
      q.state(`resources:
  - command: put-b
    run: printf '${unitText('keel b').replace(/\n/g, '\\n')}' > /etc/systemd/system/${b}
    creates: /etc/systemd/system/${b}
  - systemd_unit: ${a}
    content: "${unitText('keel a').replace(/\n/g, '\\n')}"
  - systemd_unit: ${b}
    content: "${unitText('keel b').replace(/\n/g, '\\n')}"
`);
      const plan = await q.plan();
      ok(plan, 2);
      expect(res(plan.report, `systemd_unit:${b}`).action).toBe('create');
      const conv = await q.converge();
      ok(conv);
      expect(res(conv.report, `systemd_unit:${a}`).status).toBe('changed');
      // without the second look, b was rewritten from the batch probe's plan ("create")
      expect(res(conv.report, `systemd_unit:${b}`).status).toBe('ok');
      expect(await onHost(q.host, `cat /etc/systemd/system/${b}`)).toBe(unitText('keel b'));
      await expectInSync(q);
    } finally {
      await onHost(q.host, `rm -f /etc/systemd/system/${a} /etc/systemd/system/${b}; systemctl daemon-reload`);
    }
  });
});
