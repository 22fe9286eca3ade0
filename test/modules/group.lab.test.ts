/** group on a real host: gid, system groups, a hand-made groupmod found again, removal; members added by user. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labSkip } from '../lab/lab-env.js';
import { change, expectInSync, moduleHost, moduleProject, ok, onHost, res, uniq, type ModuleProject } from './module-lab.js';

describe.skipIf(!!labSkip)('group module on a lab host', () => {
  const s = uniq();
  const team = `kg${s}`;
  const sys = `kgs${s}`;
  const old = `kgo${s}`;
  const member = `kgu${s}`;
  const gid = 30000 + (parseInt(s, 16) % 9000);
  let p: ModuleProject;

  beforeAll(async () => {
    p = moduleProject(moduleHost(2));
    // a group to remove, and a user (made by hand) who is already in another group
    await onHost(p.host, `groupadd ${old} && useradd -M -G users ${member}`);
    p.state(`resources:
  - group: ${team}
    gid: ${gid}
  - group: ${sys}
    system: true
  - group: ${old}
    state: absent
  - user: ${member}
    groups: [${team}]
    append: true
`);
  });

  afterAll(async () => {
    await onHost(p.host, `userdel ${member} 2>/dev/null; for g in ${team} ${sys} ${old}; do groupdel $g 2>/dev/null; done; true`);
  });

  it('plans, converges, is in sync, and finds a hand-made gid change again', async () => {
    const plan = await p.plan();
    ok(plan, 2);
    expect(res(plan.report, `group:${team}`).action).toBe('create');
    expect(change(plan.report, `group:${team}`, 'gid')).toEqual({ field: 'gid', from: null, to: gid });
    expect(res(plan.report, `group:${old}`).action).toBe('delete');

    ok(await p.converge());
    const [teamLine, sysLine, oldLine, ids] = (
      await onHost(p.host, `getent group ${team}; getent group ${sys}; getent group ${old} || echo none; id -nG ${member}`)
    ).trim().split('\n');
    expect(teamLine).toBe(`${team}:x:${gid}:${member}`);
    expect(Number(sysLine.split(':')[2])).toBeLessThan(1000);
    expect(oldLine).toBe('none');
    // append: the hand-made membership in users is kept
    expect(ids.split(' ').sort()).toEqual([member, team, 'users'].sort());
    await expectInSync(p);

    await onHost(p.host, `groupmod -g ${gid + 1} ${team}`);
    const drift = await p.plan();
    ok(drift, 2);
    expect(change(drift.report, `group:${team}`, 'gid')).toEqual({ field: 'gid', from: gid + 1, to: gid });
    expect(res(drift.report, `group:${sys}`).action).toBe('none');

    ok(await p.converge());
    expect(await onHost(p.host, `getent group ${team} | cut -d: -f3`)).toBe(`${gid}\n`);
    await expectInSync(p);
  });
});
