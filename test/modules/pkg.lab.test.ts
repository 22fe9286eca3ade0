/** pkg on a real host (apt through the lab's proxy): one apt-get for several packages, drift, removal. */
import { beforeAll, describe, expect, it } from 'vitest';
import { labSkip } from '../lab/lab-env.js';
import { change, expectInSync, hostReport, moduleHost, moduleProject, ok, onHost, res, type ModuleProject } from './module-lab.js';

// Small leaf packages that the lab image does not carry.
const PKGS = ['hello', 'tree'];
const APT = 'apt-get -o DPkg::Lock::Timeout=300';
const dpkgState = (h: ModuleProject['host']) =>
  onHost(h, `for p in ${PKGS.join(' ')}; do printf '%s ' $p; dpkg-query -W -f='\${db:Status-Status}\\n' $p 2>/dev/null || echo not-installed; done`);

describe.skipIf(!!labSkip)('pkg module on a lab host', () => {
  let p: ModuleProject;

  beforeAll(async () => {
    p = moduleProject(moduleHost(1));
    // start from a host without them, whatever an earlier run left (purging an absent package is
    // fine); another apt on the host (another test run) is waited for, as keel does
    await onHost(p.host, `DEBIAN_FRONTEND=noninteractive ${APT} purge -y -q ${PKGS.join(' ')} >/dev/null`);
    p.state(`resources:\n  - pkg: [${PKGS.join(', ')}]\n`);
  }, 300_000);

  it('installs several packages with ONE apt-get, is in sync, finds a hand removal, and removes them', async () => {
    const plan = await p.plan();
    ok(plan, 2);
    for (const name of PKGS) {
      expect(res(plan.report, `pkg:${name}`).action).toBe('create');
      expect(change(plan.report, `pkg:${name}`, 'version')).toMatchObject({ from: null, to: expect.any(String) });
    }

    const histBefore = Number((await onHost(p.host, 'touch /var/log/apt/history.log; wc -c < /var/log/apt/history.log')).trim());
    const conv = await p.converge();
    ok(conv);
    expect(hostReport(conv.report).summary).toMatchObject({ changed: 2, failed: 0 });
    expect(await dpkgState(p.host)).toBe(PKGS.map((n) => `${n} installed\n`).join(''));
    // what apt ran since: the lines of history.log written after our offset that name our packages
    const newHistory = await onHost(p.host, `tail -c +${histBefore + 1} /var/log/apt/history.log`);
    const ours = newHistory.split('\n').filter((l) => l.startsWith('Commandline:') && PKGS.some((n) => new RegExp(`\\b${n}\\b`).test(l)));
    expect(ours, newHistory).toHaveLength(1);
    for (const name of PKGS) expect(ours[0]).toMatch(new RegExp(`\\binstall\\b.*\\b${name}\\b`));
    await expectInSync(p);

    // removed by hand: found again and reinstalled
    await onHost(p.host, `DEBIAN_FRONTEND=noninteractive ${APT} remove -y -q tree >/dev/null`);
    const drift = await p.plan();
    ok(drift, 2);
    expect(res(drift.report, 'pkg:hello').action).toBe('none');
    expect(res(drift.report, 'pkg:tree').action).toBe('create');
    expect(change(drift.report, 'pkg:tree', 'version')).toMatchObject({ from: null });
    ok(await p.converge());
    expect(await dpkgState(p.host)).toBe(PKGS.map((n) => `${n} installed\n`).join(''));
    await expectInSync(p);

    // state absent removes them (apt-get remove leaves config files: dpkg says config-files or not-installed)
    p.state(`resources:\n  - pkg: [${PKGS.join(', ')}]\n    state: absent\n`);
    const removePlan = await p.plan();
    ok(removePlan, 2);
    expect(res(removePlan.report, 'pkg:hello').action).toBe('delete');
    ok(await p.converge());
    expect(await dpkgState(p.host)).toMatch(/^hello (not-installed|config-files)\ntree (not-installed|config-files)\n$/);
    await expectInSync(p);
  });
});
