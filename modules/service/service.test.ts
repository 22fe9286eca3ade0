import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CommandError, KeelError } from '../../src/errors.js';
import type { Plan } from '../../src/module.js';
import { checkFixture, loadFixtures, planContext, probeOutput, runProbe, testFacts, recordingContext } from '../test-helpers.js';
import { diagnosticsScript, isActiveScript, opArgv, refreshScript } from './commands.js';
import type { ServiceSteps } from './plan.js';
import { serviceModule, type ServiceSpec } from './service.js';
import { isValidUnitName, templateOf, unitName, unitType } from './unit-name.js';

const here = fileURLToPath(new URL('.', import.meta.url));

describe('service fixtures', () => {
  for (const [file, fx] of loadFixtures(join(here, 'fixtures'))) it(file, () => checkFixture(serviceModule, fx));
});

const show = (props: Record<string, string>) =>
  Object.entries({
    Id: 'nginx.service',
    LoadState: 'loaded',
    ActiveState: 'active',
    SubState: 'running',
    UnitFileState: 'enabled',
    NeedDaemonReload: 'no',
    Type: 'notify',
    RemainAfterExit: 'no',
    CanReload: 'yes',
    IsEnabled: 'enabled',
    ...props,
  })
    .map(([k, v]) => `${k}=${v}\n`)
    .join('');

function planOf(spec: ServiceSpec, stdout: string, changed: Record<string, boolean | 'maybe'> = {}): Plan<ServiceSteps> {
  const cur = serviceModule.parse(spec, probeOutput(stdout), testFacts);
  return serviceModule.plan(spec, cur, testFacts, planContext(changed));
}

describe('unit names', () => {
  it('implies .service only when there is no unit type suffix', () => {
    expect(unitName('nginx')).toBe('nginx.service');
    expect(unitName('php8.2-fpm')).toBe('php8.2-fpm.service');
    expect(unitName('backup.timer')).toBe('backup.timer');
    expect(unitName('getty@tty1')).toBe('getty@tty1.service');
    expect(unitType('a.socket')).toBe('socket');
    expect(templateOf('getty@tty1.service')).toBe('getty@.service');
    expect(templateOf('nginx.service')).toBeUndefined();
  });
  it('rejects what systemd would', () => {
    expect(isValidUnitName('systemd-fsck@dev-disk-by\\x2duuid.service')).toBe(true);
    for (const bad of ['-x', 'a b', 'a/b', '', 'x;rm']) expect(isValidUnitName(bad)).toBe(false);
  });
  it('auto-requires the unit file, the bare name and the template', () => {
    expect(serviceModule.autoRequires!({ name: 'gunicorn' })).toEqual(['systemd_unit:gunicorn.service', 'systemd_unit:gunicorn']);
    expect(serviceModule.autoRequires!({ name: 'nginx.service' })).toEqual(['systemd_unit:nginx.service']);
    expect(serviceModule.autoRequires!({ name: 'worker@1' })).toEqual([
      'systemd_unit:worker@1.service',
      'systemd_unit:worker@1',
      'systemd_unit:worker@.service',
    ]);
  });
});

describe('service prepare', () => {
  const env = { stateDir: '/', vars: {}, render: (t: string) => t, readFile: () => Buffer.alloc(0) };
  it('refuses masked with running or enabled', () => {
    expect(() => serviceModule.prepare!({ name: 'a', masked: true, running: true }, env)).toThrow(/neither running nor enabled/);
    expect(() => serviceModule.prepare!({ name: 'a', masked: true, enabled: true }, env)).toThrow(/neither running nor enabled/);
    expect(() => serviceModule.prepare!({ name: 'a', masked: true, running: false }, env)).not.toThrow();
    expect(() => serviceModule.prepare!({ name: 'a b' }, env)).toThrow(/not a systemd unit name/);
  });
});

describe('service steps', () => {
  it('orders unmask, enable, start', () => {
    const plan = planOf({ name: 'nginx', masked: false, enabled: true, running: true }, show({ LoadState: 'masked', ActiveState: 'inactive', IsEnabled: 'masked' }));
    expect(plan.steps).toEqual({ unit: 'nginx.service', ops: ['unmask', 'enable', 'start'], oneshot: false });
  });
  it('orders stop before mask, and unmasks runtime masks with --runtime', () => {
    expect(planOf({ name: 'nginx', masked: true, running: false }, show({})).steps?.ops).toEqual(['stop', 'mask']);
    const rt = planOf({ name: 'nginx', masked: false }, show({ LoadState: 'masked', IsEnabled: 'masked-runtime' }));
    expect(rt.steps?.ops).toEqual(['unmask-runtime']);
  });
  it('acts on the real unit of an alias', () => {
    const plan = planOf({ name: 'sshd', running: true }, show({ Id: 'ssh.service', ActiveState: 'inactive' }));
    expect(plan.steps?.unit).toBe('ssh.service');
  });
  it('reloads systemd first when a unit file changed behind its back', () => {
    const plan = planOf({ name: 'nginx', running: true }, show({ ActiveState: 'inactive', NeedDaemonReload: 'yes' }));
    expect(plan.steps?.ops).toEqual(['daemon-reload', 'start']);
  });
  it('a unit that does not exist yet is provisional, unless a unit file of the run brings it', () => {
    const missing = show({ LoadState: 'not-found', ActiveState: 'inactive', IsEnabled: 'not-found' });
    const spec = { name: 'nginx', running: true, enabled: true };
    expect(planOf(spec, missing).provisional).toBe('nginx.service does not exist yet');
    expect(planOf(spec, missing, { 'systemd_unit:nginx.service': true }).provisional).toBeUndefined();
    expect(planOf(spec, show({ LoadState: 'loaded', ActiveState: 'inactive', IsEnabled: 'disabled' })).provisional).toBeUndefined();
  });
  it('notes oneshot units for the error hint', () => {
    expect(planOf({ name: 'x', running: true }, show({ Id: 'x.service', ActiveState: 'inactive', Type: 'oneshot' })).steps?.oneshot).toBe(true);
  });
  it('disables whatever was enabled behind a mask when unmasking', () => {
    const plan = planOf({ name: 'nginx', masked: false, enabled: false }, show({ LoadState: 'masked', IsEnabled: 'masked' }));
    expect(plan.changes).toEqual([
      { field: 'masked', from: true, to: false },
      { field: 'enabled', from: null, to: false },
    ]);
    expect(plan.steps?.ops).toEqual(['unmask', 'disable']);
  });
});

describe('service command builders', () => {
  it('builds systemctl argv', () => {
    expect(opArgv('start', 'nginx.service')).toEqual(['systemctl', 'start', 'nginx.service']);
    expect(opArgv('unmask-runtime', 'nginx.service')).toEqual(['systemctl', 'unmask', '--runtime', 'nginx.service']);
    expect(opArgv('daemon-reload', 'nginx.service')).toEqual(['systemctl', 'daemon-reload']);
  });
  it('refreshes a running service, and only a running one when running is unset', () => {
    expect(refreshScript('restart', 'a.service', true)).toBe('systemctl restart a.service');
    expect(refreshScript('reload', 'a.service', true)).toBe('systemctl reload a.service');
    expect(refreshScript('reload-or-restart', 'a.service', true)).toBe('systemctl reload-or-restart a.service');
    expect(refreshScript('restart', 'a.service', undefined)).toBe('systemctl try-restart a.service');
    expect(refreshScript('reload-or-restart', 'a.service', undefined)).toBe('systemctl try-reload-or-restart a.service');
    expect(refreshScript('reload', 'a.service', undefined)).toBe('if systemctl is-active --quiet a.service; then systemctl reload a.service; fi');
  });
  it('quotes unit names with backslashes', () => {
    expect(isActiveScript('a\\x2db.service')).toBe("systemctl is-active 'a\\x2db.service' || :");
    expect(diagnosticsScript('a.service')).toBe(
      [
        'LC_ALL=C systemctl status --no-pager --full --lines=0 a.service 2>&1 || :',
        'echo @@keel-journal@@',
        'journalctl -u a.service -n 20 --no-pager 2>&1 || :',
      ].join('\n'),
    );
  });
});


const diag = diagnosticsScript('nginx.service');
const diagOut = '● nginx.service - A high performance web server\n     Active: failed (Result: exit-code)\n@@keel-journal@@\nnginx: [emerg] unknown directive "foo"\n';

describe('service apply and refresh (recorded commands)', () => {
  it('starts and checks that the unit is active', async () => {
    const { ctx, scripts } = recordingContext((s) => (s === isActiveScript('nginx.service') ? 'active\n' : ''));
    await serviceModule.apply(ctx, planOf({ name: 'nginx', running: true, enabled: true }, show({ ActiveState: 'inactive', IsEnabled: 'disabled' })), { name: 'nginx' });
    expect(scripts).toEqual(['systemctl enable nginx.service', 'systemctl start nginx.service', isActiveScript('nginx.service')]);
  });
  it('fails a start that does not stick, with status and journal', async () => {
    const { ctx } = recordingContext((s) => (s === isActiveScript('nginx.service') ? 'failed\n' : s === diag ? diagOut : ''));
    const err = await serviceModule
      .apply(ctx, planOf({ name: 'nginx', running: true }, show({ ActiveState: 'inactive' })), { name: 'nginx' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeelError);
    const msg = (err as KeelError).message;
    expect(msg).toContain('service nginx.service is failed after: systemctl start nginx.service');
    expect(msg).toContain('Active: failed (Result: exit-code)');
    expect(msg).toContain('--- journalctl -u nginx.service -n 20 ---\nnginx: [emerg] unknown directive "foo"');
  });
  it('reports a failing systemctl start with its own message', async () => {
    const { ctx } = recordingContext((s) =>
      s === 'systemctl start nginx.service' ? new CommandError(s, 1, 'Job for nginx.service failed because the control process exited with error code.') : s === diag ? diagOut : '',
    );
    const err = (await serviceModule.apply(ctx, planOf({ name: 'nginx', running: true }, show({ ActiveState: 'inactive' })), { name: 'nginx' }).catch((e: unknown) => e)) as KeelError;
    expect(err.code).toBe('E_SERVICE_START');
    expect(err.message).toContain('Job for nginx.service failed');
    expect(err.message).toContain('unknown directive');
  });
  it('adds the oneshot hint', async () => {
    const { ctx } = recordingContext((s) => (s === isActiveScript('x.service') ? 'inactive\n' : ''));
    const plan = planOf({ name: 'x', running: true }, show({ Id: 'x.service', ActiveState: 'inactive', Type: 'oneshot' }));
    const err = (await serviceModule.apply(ctx, plan, { name: 'x' }).catch((e: unknown) => e)) as KeelError;
    expect(err.hint).toMatch(/oneshot/);
  });
  it('does not refresh a service declared stopped or masked', async () => {
    const { ctx, scripts } = recordingContext();
    await serviceModule.refresh!(ctx, { name: 'nginx', running: false });
    await serviceModule.refresh!(ctx, { name: 'nginx', masked: true });
    expect(scripts).toEqual([]);
  });
  it('restarts a running service and checks it', async () => {
    const { ctx, scripts } = recordingContext((s) => (s === isActiveScript('nginx.service') ? 'active\n' : ''));
    await serviceModule.refresh!(ctx, { name: 'nginx', running: true, refresh: 'reload' });
    expect(scripts).toEqual(['systemctl reload nginx.service', isActiveScript('nginx.service')]);
  });
  it('try-restarts when running is unset', async () => {
    const { ctx, scripts } = recordingContext();
    await serviceModule.refresh!(ctx, { name: 'nginx' });
    expect(scripts).toEqual(['systemctl try-restart nginx.service']);
  });
  it('does not restart a service it started in this run', async () => {
    const { ctx, scripts } = recordingContext((s) => (s === isActiveScript('nginx.service') ? 'active\n' : ''));
    const spec: ServiceSpec = { name: 'nginx', running: true };
    await serviceModule.apply(ctx, planOf(spec, show({ ActiveState: 'inactive' })), spec);
    await serviceModule.refresh!(ctx, spec);
    expect(scripts).toEqual(['systemctl start nginx.service', isActiveScript('nginx.service')]);
  });
});

describe('service probe under /bin/sh (no systemd as PID 1 here)', () => {
  it('is valid sh and reports instead of crashing; plan names the missing init', async () => {
    const spec: ServiceSpec = { name: "x'; touch /tmp/keel-pwned-svc; '", running: true };
    const out = await runProbe(serviceModule.probe(spec));
    expect(out.stderr.toString()).not.toMatch(/syntax error/);
    const facts = { ...testFacts, init: 'other' as const };
    const cur = serviceModule.parse(spec, out, facts);
    expect(() => serviceModule.plan(spec, cur, facts, planContext())).toThrow('service needs systemd on the host; init is other');
  });
});

describe('service schema', () => {
  it('compiles with keel\'s ajv and documents every parameter', async () => {
    const ajv = (await import('../../src/config/ajv.js')).runtimeAjv();
    const { serviceModule } = await import('./service.js');
    expect(() => ajv.compile(serviceModule.schema)).not.toThrow();
    for (const [k, p] of Object.entries(serviceModule.schema.properties)) expect((p as { description?: string }).description, k).toBeTruthy();
    expect(ajv.validate(serviceModule.schema, { no_such_param: 1 })).toBe(false);
  });
});
