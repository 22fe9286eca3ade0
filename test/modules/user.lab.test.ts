/** user on a real host: primary and exact supplementary groups, shell/comment/home, hand-made usermod found again. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labSkip } from '../lab/lab-env.js';
import { change, expectInSync, moduleHost, moduleProject, ok, onHost, res, uniq, type ModuleProject } from './module-lab.js';

describe.skipIf(!!labSkip)('user module on a lab host', () => {
  const s = uniq();
  const name = `ku${s}`;
  const [prim, g1, g2] = [`kup${s}`, `kua${s}`, `kub${s}`];
  const home = `/srv/home-${name}`;
  const id = `user:${name}`;
  let p: ModuleProject;

  beforeAll(() => {
    p = moduleProject(moduleHost(0));
    // the groups are declared after the user: the user requires them automatically
    p.state(`resources:
  - user: ${name}
    group: ${prim}
    groups: [${g2}, ${g1}]
    shell: /bin/bash
    home: ${home}
    comment: Keel Test
  - group: [${prim}, ${g1}, ${g2}]
`);
  });

  afterAll(async () => {
    await onHost(p.host, `userdel -r ${name} 2>/dev/null; for g in ${prim} ${g1} ${g2}; do groupdel $g 2>/dev/null; done; true`);
  });

  it('plans, converges with its groups, is in sync, and finds hand-made usermods again', async () => {
    const plan = await p.plan();
    ok(plan, 2);
    expect(res(plan.report, id).action).toBe('create');
    expect(change(plan.report, id, 'groups')).toEqual({ field: 'groups', from: null, to: [g1, g2].sort() });
    expect(change(plan.report, id, 'shell')).toEqual({ field: 'shell', from: null, to: '/bin/bash' });

    ok(await p.converge());
    const [pw, primary, all, homeOwner] = (await onHost(p.host, `getent passwd ${name}; id -gn ${name}; id -nG ${name}; stat -c %U ${home}`))
      .trim()
      .split('\n');
    expect(pw).toMatch(new RegExp(`^${name}:x:\\d+:\\d+:Keel Test:${home}:/bin/bash$`));
    expect(primary).toBe(prim);
    expect(all.split(' ').sort()).toEqual([prim, g1, g2].sort());
    expect(homeOwner).toBe(name);
    await expectInSync(p);

    // by hand: an extra group, another shell, one declared group left
    await onHost(p.host, `usermod -G ${g1},users -s /bin/sh ${name}`);
    const drift = await p.plan();
    ok(drift, 2);
    expect(res(drift.report, id).action).toBe('update');
    expect(change(drift.report, id, 'groups')).toEqual({ field: 'groups', from: [g1, 'users'].sort(), to: [g1, g2].sort() });
    expect(change(drift.report, id, 'shell')).toEqual({ field: 'shell', from: '/bin/sh', to: '/bin/bash' });

    ok(await p.converge());
    expect((await onHost(p.host, `id -nG ${name}`)).trim().split(' ').sort()).toEqual([prim, g1, g2].sort());
    expect(await onHost(p.host, `getent passwd ${name} | cut -d: -f7`)).toBe('/bin/bash\n');
    await expectInSync(p);

    // an empty list removes every supplementary group
    p.state(`resources:
  - user: ${name}
    groups: []
`);
    const empty = await p.plan();
    ok(empty, 2);
    expect(change(empty.report, id, 'groups')).toEqual({ field: 'groups', from: [g1, g2].sort(), to: [] });
    ok(await p.converge());
    expect(await onHost(p.host, `id -nG ${name}`)).toBe(`${prim}\n`);
  });
});
