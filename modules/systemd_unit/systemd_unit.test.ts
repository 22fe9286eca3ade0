import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { ApplyContext, Plan, PrepareEnv } from '../../src/module.js';
import type { ExecResult, PutOptions, Transport } from '../../src/transport/types.js';
import { sha256 } from '../shared/index.js';
import { checkFixture, loadFixtures, planContext, probeOutput, runProbe, testFacts } from '../test-helpers.js';
import { systemdUnitModule, type SystemdUnitSpec, type UnitFileSteps } from './systemd_unit.js';

const here = fileURLToPath(new URL('.', import.meta.url));

describe('systemd_unit fixtures', () => {
  for (const [file, fx] of loadFixtures(join(here, 'fixtures'))) it(file, () => checkFixture(systemdUnitModule, fx));
});

function env(files: Record<string, string | Buffer>, vars: Record<string, unknown> = {}): PrepareEnv {
  return {
    stateDir: '/states',
    vars,
    render: (t, extra) => t.replace(/\{\{ *(\w+) *\}\}/g, (_m, k: string) => String({ ...vars, ...extra }[k])),
    readFile: (rel) => {
      const f = files[rel];
      if (f === undefined) throw new Error(`ENOENT ${rel}`);
      return Buffer.from(f);
    },
  };
}

describe('systemd_unit prepare', () => {
  it('reads a source and renders a template with vars', () => {
    const e = env({ 'files/a.service': '[Service]\nExecStart=/bin/a\n', 't/b.service.j2': 'User={{ user }}\nDir={{ dir }}\n' }, { user: 'app', dir: '/srv' });
    expect(systemdUnitModule.prepare!({ name: 'a.service', source: 'files/a.service' }, e).content).toBe('[Service]\nExecStart=/bin/a\n');
    expect(systemdUnitModule.prepare!({ name: 'b.service', template: 't/b.service.j2', vars: { dir: '/opt' } }, e).content).toBe('User=app\nDir=/opt\n');
  });
  it('rejects bad names and conflicting or missing contents', () => {
    const e = env({});
    expect(() => systemdUnitModule.prepare!({ name: 'gunicorn', content: 'x' }, e)).toThrow(/not a unit file name/);
    expect(() => systemdUnitModule.prepare!({ name: '../x.service', content: 'x' }, e)).toThrow(/not a unit file name/);
    expect(() => systemdUnitModule.prepare!({ name: 'a.service', content: 'x', source: 'y' }, e)).toThrow(/not content and source/);
    expect(() => systemdUnitModule.prepare!({ name: 'a.service' }, e)).toThrow(/set content, source or template/);
    expect(() => systemdUnitModule.prepare!({ name: 'a.service', content: 'x', vars: {} }, e)).toThrow(/only used with template/);
    expect(() => systemdUnitModule.prepare!({ name: 'a.service', state: 'absent' }, e)).not.toThrow();
    expect(() => systemdUnitModule.prepare!({ name: 'a.service', source: 'missing' }, e)).toThrow(/cannot read source missing/);
    expect(() => systemdUnitModule.prepare!({ name: 'a.service', source: 'bin' }, env({ bin: Buffer.from([0xff, 0xfe]) }))).toThrow(/not UTF-8/);
  });
});

describe('systemd_unit probe under /bin/sh on this machine', () => {
  it('sees a unit file that is not there', async () => {
    const spec: SystemdUnitSpec = { name: 'keel-test-nonexistent.service', content: '[Service]\nExecStart=/bin/true\n' };
    const out = await runProbe(systemdUnitModule.probe(spec));
    const plan = systemdUnitModule.plan(spec, systemdUnitModule.parse(spec, out, testFacts), testFacts, planContext());
    expect(plan.action).toBe('create');
    expect(plan.steps).toMatchObject({ daemonReload: true, file: { op: 'put', path: '/etc/systemd/system/keel-test-nonexistent.service', mode: '0644', owner: 'root', group: 'root' } });
  });
  it('sees an alias link as a link to replace', async () => {
    const spec: SystemdUnitSpec = { name: 'sshd.service', content: '[Service]\n' };
    const cur = systemdUnitModule.parse(spec, await runProbe(systemdUnitModule.probe(spec)), testFacts);
    if (cur.file.type === 'absent') return; // not every machine has the alias
    expect(cur.file.type).toBe('link');
  });
});

/** Records puts and scripts instead of touching /etc/systemd. */
function recording(): { ctx: ApplyContext; log: string[] } {
  const log: string[] = [];
  const transport: Transport = {
    host: 'test',
    exec: async (): Promise<ExecResult> => ({ code: 0, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) }),
    put: async (path: string, content: string | Buffer, opts?: PutOptions) => {
      log.push(`put ${path} ${opts?.mode} ${opts?.owner}:${opts?.group} ${content.length}`);
    },
    close: async () => undefined,
  };
  const ctx: ApplyContext = {
    host: 'test',
    transport,
    facts: testFacts,
    log: pino({ level: 'silent' }),
    sudo: false,
    run: async (script) => {
      log.push(script);
      return '';
    },
    once: async (_k, fn) => fn(),
  };
  return { ctx, log };
}

const planOf = (spec: SystemdUnitSpec, stdout: string, init: 'systemd' | 'other' = 'systemd'): Plan<UnitFileSteps> => {
  const facts = { ...testFacts, init };
  return systemdUnitModule.plan(spec, systemdUnitModule.parse(spec, probeOutput(stdout), facts), facts, planContext());
};

describe('systemd_unit apply', () => {
  it('writes every unit of a batch, then reloads systemd once', async () => {
    const { ctx, log } = recording();
    const a: SystemdUnitSpec = { name: 'a.service', content: 'A\n' };
    const b: SystemdUnitSpec = { name: 'b.timer', content: 'B\n' };
    const c: SystemdUnitSpec = { name: 'c.service', state: 'absent' };
    await systemdUnitModule.applyBatch!(ctx, [
      { spec: a, plan: planOf(a, 'type=absent\n') },
      { spec: b, plan: planOf(b, 'type=absent\n') },
      { spec: c, plan: planOf(c, 'type=file\nmeta=644 0 0 root root\n') },
    ]);
    expect(log).toEqual([
      'put /etc/systemd/system/a.service 0644 root:root 2',
      'put /etc/systemd/system/b.timer 0644 root:root 2',
      'rm -f -- /etc/systemd/system/c.service',
      'systemctl daemon-reload',
    ]);
  });
  it('does not reload for a mode change alone, nor on hosts without systemd', async () => {
    const spec: SystemdUnitSpec = { name: 'a.service', content: 'A\n', mode: '0600' };
    const modeOnly = planOf(spec, `needreload=no\ntype=file\nmeta=644 0 0 root root\nsha256=${sha256('A\n')}\n`);
    expect(modeOnly.changes).toEqual([{ field: 'mode', from: '0644', to: '0600' }]);
    expect(modeOnly.steps).toEqual({ file: { op: 'attrs', path: '/etc/systemd/system/a.service', mode: '0600' }, daemonReload: false });
    const { ctx, log } = recording();
    await systemdUnitModule.apply(ctx, planOf(spec, 'type=absent\n', 'other'), spec);
    expect(log).toEqual(['put /etc/systemd/system/a.service 0600 root:root 2']);
  });
  it('reloads only, when the file is right but systemd has an older version', async () => {
    const { ctx, log } = recording();
    const spec: SystemdUnitSpec = { name: 'a.service', content: 'A\n' };
    const sha = sha256('A\n');
    await systemdUnitModule.apply(ctx, planOf(spec, `needreload=yes\ntype=file\nmeta=644 0 0 root root\nsha256=${sha}\n`), spec);
    expect(log).toEqual(['systemctl daemon-reload']);
  });
});

describe('systemd_unit schema', () => {
  it('compiles with keel\'s ajv and documents every parameter', async () => {
    const ajv = (await import('../../src/config/ajv.js')).runtimeAjv();
    const { systemdUnitModule } = await import('./systemd_unit.js');
    expect(() => ajv.compile(systemdUnitModule.schema)).not.toThrow();
    for (const [k, p] of Object.entries(systemdUnitModule.schema.properties)) expect((p as { description?: string }).description, k).toBeTruthy();
    expect(ajv.validate(systemdUnitModule.schema, { no_such_param: 1 })).toBe(false);
  });
});
