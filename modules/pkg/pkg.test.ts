import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { checkFixture, loadFixtures, planContext, probeScript, runProbe, runProbes, testFacts, recordingContext } from '../test-helpers.js';
import { aptArgv, aptScript } from './apt.js';
import { pkgModule, type PkgSpec } from './pkg.js';

const here = fileURLToPath(new URL('.', import.meta.url));

describe('pkg fixtures', () => {
  for (const [file, fx] of loadFixtures(join(here, 'fixtures'))) it(file, () => checkFixture(pkgModule, fx));
});

/** Probe on this machine (Debian, real dpkg database), parse, plan. */
async function planHere(spec: PkgSpec) {
  const out = await runProbe(pkgModule.probe(spec));
  const cur = pkgModule.parse(spec, out, testFacts);
  return { cur, plan: pkgModule.plan(spec, cur, testFacts, planContext()) };
}

describe('pkg probe under /bin/sh against this machine', () => {
  it('sees coreutils installed', async () => {
    const { cur, plan } = await planHere({ name: 'coreutils' });
    expect(cur.manager).toBe('apt');
    expect(cur.pkg?.installed).toBe(true);
    expect(cur.pkg?.version).toMatch(/^\d/);
    expect(plan).toEqual({ action: 'none', changes: [] });
  });
  it('plans to install a package that does not exist here', async () => {
    const { plan } = await planHere({ name: 'keel-no-such-package' });
    expect(plan.action).toBe('create');
    expect(plan.changes).toEqual([{ field: 'version', from: null, to: 'installed' }]);
    expect(plan.steps).toEqual({ name: 'keel-no-such-package', op: 'install' });
  });
  it('plans nothing to remove for a missing package, and removal of an installed one', async () => {
    expect((await planHere({ name: 'keel-no-such-package', state: 'absent' })).plan.action).toBe('none');
    const { plan } = await planHere({ name: 'coreutils', state: 'absent' });
    expect(plan.action).toBe('delete');
    expect(plan.steps).toEqual({ name: 'coreutils', op: 'remove' });
  });
  it('reads the candidate for state latest', async () => {
    const { cur } = await planHere({ name: 'coreutils', state: 'latest' });
    expect(cur.pkg?.candidate).toMatch(/^\d/);
  });
  it('pins against the real installed version', async () => {
    const { cur } = await planHere({ name: 'coreutils' });
    const { plan } = await planHere({ name: 'coreutils', version: cur.pkg!.version! });
    expect(plan.action).toBe('none');
    const other = await planHere({ name: 'coreutils', version: '0.0-keel' });
    expect(other.plan.changes).toEqual([{ field: 'version', from: cur.pkg!.version, to: '0.0-keel' }]);
  });
  it('asks dpkg about all packages of a host at once, each package getting what its own probe said', async () => {
    const specs: PkgSpec[] = [
      { name: 'coreutils' },
      { name: 'keel-no-such-package' },
      { name: 'coreutils', state: 'latest' },
      { name: 'dpkg' },
      { name: `libc6:${execFileSync('dpkg', ['--print-architecture']).toString().trim()}` },
      { name: 'libc6' },
    ];
    const probes = specs.map((s) => pkgModule.probe(s));
    const { script } = probeScript(probes);
    expect(script.match(/dpkg-query/g)).toHaveLength(1);
    const together = await runProbes(probes);
    const alone = await Promise.all(probes.map((p) => runProbe(p)));
    expect(together.map((o) => o.text)).toEqual(alone.map((o) => o.text));
    expect(together[4].text).toMatch(/^manager=apt\ndpkg=install ok installed\t\S+\n$/);
    expect(together[1].text).toBe('manager=apt\n');
    expect(together[2].text).toMatch(/\ncandidate=\S+\n$/);
  });
  it('is read-only and does not fail for a name with shell characters', async () => {
    const out = await runProbe(pkgModule.probe({ name: "x'; touch /tmp/keel-pwned; '" }));
    expect(out.code).toBe(0);
  });
});


const planFor = (spec: PkgSpec, stdout: string) =>
  pkgModule.plan(spec, pkgModule.parse(spec, { code: 0, stdout: Buffer.from(stdout), stderr: Buffer.alloc(0), text: stdout }, testFacts), testFacts, planContext());

describe('pkg applyBatch', () => {
  it('refreshes the index once (smallest age) then runs ONE transaction', async () => {
    const { ctx, scripts, onceKeys } = recordingContext();
    const nginx: PkgSpec = { name: 'nginx', update_cache_age: 600 };
    const curl: PkgSpec = { name: 'curl', version: '7.88.1-10' };
    const telnet: PkgSpec = { name: 'telnet', state: 'absent' };
    await pkgModule.applyBatch!(ctx, [
      { spec: nginx, plan: planFor(nginx, 'manager=apt\n') },
      { spec: curl, plan: planFor(curl, 'manager=apt\n') },
      { spec: telnet, plan: planFor(telnet, 'manager=apt\ndpkg=install ok installed\t0.17\n') },
    ]);
    expect(onceKeys).toEqual(['pkg-index-refresh:apt']);
    expect(scripts).toHaveLength(2);
    expect(scripts[0]).toContain('-ge 600 ]');
    expect(scripts[1]).toBe(
      aptScript(aptArgv([{ name: 'nginx', op: 'install' }, { name: 'curl', op: 'install', version: '7.88.1-10' }, { name: 'telnet', op: 'remove' }])),
    );
  });
  it('does not refresh the index for removals only', async () => {
    const { ctx, scripts, onceKeys } = recordingContext();
    const telnet: PkgSpec = { name: 'telnet', state: 'absent' };
    await pkgModule.apply(ctx, planFor(telnet, 'manager=apt\ndpkg=install ok installed\t0.17\n'), telnet);
    expect(onceKeys).toEqual([]);
    expect(scripts).toEqual([aptScript(aptArgv([{ name: 'telnet', op: 'remove' }]))]);
  });
});

describe('pkg names', () => {
  const env = { stateDir: '/', vars: {}, render: (t: string) => t, readFile: () => Buffer.alloc(0) };
  it('accepts package names and rejects apt syntax in a name', () => {
    for (const ok of ['nginx', 'g++', 'libstdc++6', 'libc6:i386', 'python3.11']) expect(() => pkgModule.prepare!({ name: ok }, env)).not.toThrow();
    for (const bad of ['nginx-', 'nginx=1.2', '-f', 'a b', '']) expect(() => pkgModule.prepare!({ name: bad }, env)).toThrow(/not a package name/);
  });
});

describe('pkg schema', () => {
  it('compiles with keel\'s ajv and documents every parameter', async () => {
    const ajv = (await import('../../src/config/ajv.js')).runtimeAjv();
    const { pkgModule } = await import('./pkg.js');
    expect(() => ajv.compile(pkgModule.schema)).not.toThrow();
    for (const [k, p] of Object.entries(pkgModule.schema.properties)) expect((p as { description?: string }).description, k).toBeTruthy();
    expect(ajv.validate(pkgModule.schema, { no_such_param: 1 })).toBe(false);
  });
});

describe('pkg schema constraints', () => {
  it('allows version only with state present', async () => {
    const ajv = (await import('../../src/config/ajv.js')).runtimeAjv();
    expect(ajv.validate(pkgModule.schema, { version: '1.2-1' })).toBe(true);
    expect(ajv.validate(pkgModule.schema, { version: '1.2-1', state: 'latest' })).toBe(false);
    expect(ajv.validate(pkgModule.schema, { update_cache_age: -1 })).toBe(false);
  });
});
