/**
 * service on a real host: started and enabled, restarted through watch only when its unit
 * changed (MainPID), a hand-made stop/disable found again, and a unit that cannot start reported
 * with its journal lines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labSkip } from '../lab/lab-env.js';
import { change, expectInSync, hostReport, moduleHost, moduleProject, ok, onHost, res, uniq, type ModuleProject } from './module-lab.js';

describe.skipIf(!!labSkip)('service module on a lab host', () => {
  const s = uniq();
  const unit = `keel-s-${s}`;
  const bad = `keel-f-${s}`;
  const marker = `keel-broken-${s}`;
  // every start of the unit appends a line: counts starts and restarts without timing guesses
  const starts = `/run/${unit}.starts`;
  let p: ModuleProject;
  const state = (h: ModuleProject['host']) => onHost(h, `systemctl is-active ${unit} || :; systemctl is-enabled ${unit} || :`);
  const startCount = async (h: ModuleProject['host']) => Number((await onHost(h, `cat ${starts} 2>/dev/null | wc -l`)).trim());
  const mainPid = async (h: ModuleProject['host']) => Number((await onHost(h, `systemctl show -p MainPID --value ${unit}`)).trim());

  beforeAll(() => {
    p = moduleProject(moduleHost(2), { ver: 1 });
    p.state(`resources:
  - systemd_unit: ${unit}.service
    content: |
      [Service]
      Environment=VERSION={{ ver }}
      ExecStartPre=/bin/sh -c 'echo start >> ${starts}'
      ExecStart=/bin/sleep infinity
      [Install]
      WantedBy=multi-user.target
  - service: ${unit}
    running: true
    enabled: true
    watch: [systemd_unit:${unit}.service]
`);
  });

  afterAll(async () => {
    await onHost(p.host, `systemctl disable --now ${unit} ${bad} 2>/dev/null; rm -f ${starts} /etc/systemd/system/${unit}.service /etc/systemd/system/${bad}.service; systemctl daemon-reload; systemctl reset-failed ${bad} 2>/dev/null; true`);
  });

  it('starts and enables, restarts on a unit change only, and finds a hand-made stop again', async () => {
    const plan = await p.plan();
    ok(plan, 2);
    expect(change(plan.report, `service:${unit}`, 'running')).toEqual({ field: 'running', from: false, to: true });
    expect(change(plan.report, `service:${unit}`, 'enabled')).toMatchObject({ to: true });

    ok(await p.converge());
    expect(await state(p.host)).toBe('active\nenabled\n');
    const pid1 = await mainPid(p.host);
    expect(pid1).toBeGreaterThan(0);
    // started in this run with the new unit: the watch does not restart it once more
    expect(await startCount(p.host)).toBe(1);
    await expectInSync(p);

    // nothing changed: a converge does not restart it
    const same = await p.converge();
    ok(same);
    expect(hostReport(same.report).status).toBe('ok');
    expect(await mainPid(p.host)).toBe(pid1);
    expect(await startCount(p.host)).toBe(1);

    // the unit changes: the watch restarts it, with the new environment
    const changed = await p.converge('--var', 'ver=2');
    ok(changed);
    expect(res(changed.report, `systemd_unit:${unit}.service`).status).toBe('changed');
    const pid2 = await mainPid(p.host);
    expect(pid2).toBeGreaterThan(0);
    expect(pid2).not.toBe(pid1);
    expect(await startCount(p.host)).toBe(2);
    expect(await onHost(p.host, `tr '\\0' '\\n' < /proc/${pid2}/environ | grep ^VERSION=`)).toBe('VERSION=2\n');

    // by hand: stopped and disabled
    await onHost(p.host, `systemctl disable --now ${unit} 2>/dev/null`);
    const drift = await p.plan('--var', 'ver=2');
    ok(drift, 2);
    expect(change(drift.report, `service:${unit}`, 'running')).toEqual({ field: 'running', from: false, to: true });
    expect(change(drift.report, `service:${unit}`, 'enabled')).toEqual({ field: 'enabled', from: false, to: true });
    ok(await p.converge('--var', 'ver=2'));
    expect(await state(p.host)).toBe('active\nenabled\n');
    await expectInSync(p, '--var', 'ver=2');
  });

  it('reports a unit that fails to start with its journal lines', async () => {
    const q = moduleProject(moduleHost(2));
    // ExecStartPre fails before the service is up, so `systemctl start` itself fails (no race
    // with a main process that dies a moment after starting)
    q.state(`resources:
  - systemd_unit: ${bad}.service
    content: |
      [Service]
      ExecStartPre=/bin/sh -c 'echo ${marker} >&2; exit 3'
      ExecStart=/bin/sleep infinity
  - service: ${bad}
    running: true
`);
    const conv = await q.converge();
    ok(conv, 1);
    const r = res(conv.report, `service:${bad}`);
    expect(r.status).toBe('failed');
    expect(r.error).toContain('--- systemctl status ---');
    expect(r.error).toContain(`--- journalctl -u ${bad}.service -n 20 ---`);
    // systemctl status is PID 1's own view (exact); the journal line is the script's stderr
    expect(r.error).toMatch(/ExecStartPre=.*status=3/);
    expect(r.error).toContain(marker);
    expect(res(conv.report, `systemd_unit:${bad}.service`).status).toBe('changed');
  });
});
