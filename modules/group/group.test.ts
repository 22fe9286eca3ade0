import { afterAll, describe, expect, it } from 'vitest';
import { applyContext, checkFixture, loadFixtures, planLive, sh } from '../test-helpers.js';
import { groupModule, type GroupSpec } from './group.js';

const fixtures = new URL('./fixtures', import.meta.url).pathname;

describe('group fixtures', () => {
  it.each(loadFixtures(fixtures))('%s', (_name, fx) => checkFixture(groupModule, fx));
});

describe('group plan', () => {
  it('quotes and orders groupadd arguments', () => {
    const plan = groupModule.plan({ name: 'app', gid: 2000, system: true }, { exists: false }, {} as never, { changed: () => false });
    expect(plan.steps).toEqual({ script: 'groupadd -g 2000 -r -- app' });
  });
  it('rejects a name useradd would refuse', () => {
    expect(() => groupModule.prepare!({ name: 'App;rm' }, {} as never)).toThrow('not a valid name');
  });
});

describe.skipIf(process.getuid?.() !== 0 && process.env.CI !== 'true')('group on this machine', () => {
  const name = 'keeltest_g1';
  afterAll(async () => {
    await sh(`groupdel ${name} 2>/dev/null; true`);
  });

  it('creates, is idempotent, detects a hand change, deletes', async () => {
    await sh(`groupdel ${name} 2>/dev/null; true`);
    const spec: GroupSpec = { name, gid: 23456 };
    const ctx = applyContext();
    const p1 = await planLive(groupModule, spec);
    expect(p1.action).toBe('create');
    await groupModule.apply(ctx, p1, spec);
    expect((await planLive(groupModule, spec)).action).toBe('none');

    expect((await sh(`groupmod -g 23457 ${name}`)).code).toBe(0);
    const p2 = await planLive(groupModule, spec);
    expect(p2.changes).toEqual([{ field: 'gid', from: 23457, to: 23456 }]);
    await groupModule.apply(ctx, p2, spec);
    expect((await planLive(groupModule, spec)).action).toBe('none');

    const gone: GroupSpec = { name, state: 'absent' };
    const p3 = await planLive(groupModule, gone);
    expect(p3.action).toBe('delete');
    await groupModule.apply(ctx, p3, gone);
    expect((await planLive(groupModule, gone)).action).toBe('none');
  });
});
