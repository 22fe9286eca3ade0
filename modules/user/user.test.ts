import { afterAll, describe, expect, it } from 'vitest';
import { applyContext, checkFixture, loadFixtures, planLive, runProbe, sh } from '../test-helpers.js';
import { groupModule } from '../group/group.js';
import { planUser, userModule, type UserSpec } from './user.js';

const fixtures = new URL('./fixtures', import.meta.url).pathname;

describe('user fixtures', () => {
  it.each(loadFixtures(fixtures))('%s', (_name, fx) => checkFixture(userModule, fx));
});

describe('user probe under /bin/sh on this machine', () => {
  it('reads the passwd entry, the primary group by name and all groups', async () => {
    const out = await runProbe(userModule.probe({ name: 'nobody' }));
    const passwd = (await sh('getent passwd nobody')).stdout.toString().trim();
    const primary = (await sh('id -gn nobody')).stdout.toString().trim();
    expect(out.text).toBe(`passwd=${passwd}\nprimary=${primary}\ngroups=${(await sh('id -Gn nobody')).stdout.toString().trim()}\n`);
    expect((await runProbe(userModule.probe({ name: 'keel-no-such-user' }))).text).toBe('passwd=\n');
  });
});

describe('user plan', () => {
  it('quotes every argument of useradd', () => {
    const plan = planUser({ name: 'app', comment: "O'Brien, ops", home: '/srv/my app', groups: ['b', 'a'], system: true }, { exists: false });
    expect(plan.steps?.script).toBe(`useradd -G a,b -d '/srv/my app' -c 'O'\\''Brien, ops' -m -r -- app`);
  });
  it('requires its declared groups, not numeric ones', () => {
    expect(userModule.autoRequires!({ name: 'app', group: 'app', groups: ['app', 'www-data'] })).toEqual(['group:app', 'group:www-data']);
    expect(userModule.autoRequires!({ name: 'app', group: '1000' })).toEqual([]);
  });
  it('empties the supplementary groups with an empty list', () => {
    const plan = planUser({ name: 'app', groups: [] }, { exists: true, uid: 1, gid: 1, group: 'app', groups: ['adm'] });
    expect(plan.steps?.script).toBe("usermod -G '' -- app");
  });
});

describe.skipIf(process.getuid?.() !== 0 && process.env.CI !== 'true')('user on this machine', () => {
  const name = 'keeltest_u1';
  const groups = ['keeltest_g2', 'keeltest_g3'];
  const cleanup = `userdel -r ${name} 2>/dev/null; for g in ${groups.join(' ')} ${name}; do groupdel $g 2>/dev/null; done; true`;
  afterAll(async () => {
    await sh(cleanup);
  });

  it('creates, is idempotent, detects a hand change, deletes', async () => {
    await sh(cleanup);
    const ctx = applyContext();
    for (const g of groups) await groupModule.apply(ctx, await planLive(groupModule, { name: g }), { name: g });

    const spec: UserSpec = { name, uid: 23456, groups, shell: '/bin/sh', home: `/home/${name}`, comment: "Keel's test" };
    const p1 = await planLive(userModule, spec);
    expect(p1.action).toBe('create');
    await userModule.apply(ctx, p1, spec);
    expect(await planLive(userModule, spec)).toEqual({ action: 'none', changes: [] });
    expect((await sh(`test -d /home/${name}`)).code).toBe(0);

    expect((await sh(`usermod -s /bin/bash -G ${groups[0]} ${name}`)).code).toBe(0);
    const p2 = await planLive(userModule, spec);
    expect(p2.changes).toEqual([
      { field: 'groups', from: [groups[0]], to: groups },
      { field: 'shell', from: '/bin/bash', to: '/bin/sh' },
    ]);
    await userModule.apply(ctx, p2, spec);
    expect((await planLive(userModule, spec)).action).toBe('none');

    const gone: UserSpec = { name, state: 'absent', remove: true };
    const p3 = await planLive(userModule, gone);
    expect(p3.action).toBe('delete');
    await userModule.apply(ctx, p3, gone);
    expect((await planLive(userModule, gone)).action).toBe('none');
  });
});
