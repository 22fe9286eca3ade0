import { afterAll, describe, expect, it } from 'vitest';
import { applyContext, checkFixture, loadFixtures, planLive, sh } from '../test-helpers.js';
import { cronModule, type CronSpec } from './cron.js';

const fixtures = new URL('./fixtures', import.meta.url).pathname;

describe('cron fixtures', () => {
  it.each(loadFixtures(fixtures))('%s', (_name, fx) => checkFixture(cronModule, fx));
});

describe('cron module', () => {
  it('requires its user and validates at prepare', () => {
    expect(cronModule.autoRequires!({ name: 'x' })).toEqual(['user:root']);
    expect(() => cronModule.prepare!({ name: 'x', schedule: '* * *', job: 'y' }, {} as never)).toThrow('invalid schedule');
    expect(() => cronModule.prepare!({ name: 'x' }, {} as never)).toThrow('schedule and job are required');
  });

  it('keeps every byte of a job but the leading spaces and tabs that read back as the separator', () => {
    const spec: CronSpec = { name: 'x', schedule: '@daily', job: ' \t\u00a0echo a\\ \u2028 ' };
    const plan = cronModule.plan(spec, { status: 'ok', crontab: '' }, {} as never, {} as never);
    expect(plan.steps?.line).toBe('@daily \u00a0echo a\\ \u2028 ');
  });
});

const haveCrontab = (await sh('command -v crontab')).code === 0;

describe.skipIf((process.getuid?.() !== 0 || !haveCrontab) && process.env.CI !== 'true')('cron on this machine', () => {
  const user = 'keeltest_c1';
  afterAll(async () => {
    await sh(`crontab -r -u ${user} 2>/dev/null; userdel -r ${user} 2>/dev/null; true`);
  });

  it('creates entries beside hand-written lines, is idempotent, detects a hand edit, deletes', async () => {
    await sh(`crontab -r -u ${user} 2>/dev/null; userdel -r ${user} 2>/dev/null; useradd -M ${user}`);
    expect((await sh(`crontab -u ${user} -`, { stdin: 'MAILTO=""\n# by hand\n0 1 * * * /bin/true\n' })).code).toBe(0);
    const ctx = applyContext();
    const a: CronSpec = { name: 'keel-a', user, schedule: '*/10 * * * *', job: 'echo a >/dev/null' };
    const b: CronSpec = { name: 'keel-b', user, schedule: '@daily', job: "printf '\\%s' b" };

    // Both planned from the same probe, then applied: the second must not undo the first.
    const pa = await planLive(cronModule, a);
    const pb = await planLive(cronModule, b);
    expect(pa.action).toBe('create');
    expect(pa.diff).toContain('+# keel: keel-a\n+*/10 * * * * echo a >/dev/null\n');
    await cronModule.apply(ctx, pa, a);
    await cronModule.apply(ctx, pb, b);
    expect((await planLive(cronModule, a)).action).toBe('none');
    expect((await planLive(cronModule, b)).action).toBe('none');
    const text = (await sh(`crontab -l -u ${user}`)).stdout.toString();
    expect(text).toBe(
      `MAILTO=""\n# by hand\n0 1 * * * /bin/true\n# keel: keel-a\n*/10 * * * * echo a >/dev/null\n# keel: keel-b\n@daily printf '\\%s' b\n`,
    );

    const edited = text.replace('*/10 * * * *', '*/15 * * * *');
    expect((await sh(`crontab -u ${user} -`, { stdin: edited })).code).toBe(0);
    const p2 = await planLive(cronModule, a);
    expect(p2.changes).toEqual([{ field: 'schedule', from: '*/15 * * * *', to: '*/10 * * * *' }]);
    await cronModule.apply(ctx, p2, a);
    expect((await planLive(cronModule, a)).action).toBe('none');

    for (const spec of [a, b]) {
      const gone: CronSpec = { name: spec.name, user, state: 'absent' };
      const p = await planLive(cronModule, gone);
      expect(p.action).toBe('delete');
      await cronModule.apply(ctx, p, gone);
      expect((await planLive(cronModule, gone)).action).toBe('none');
    }
    expect((await sh(`crontab -l -u ${user}`)).stdout.toString()).toBe('MAILTO=""\n# by hand\n0 1 * * * /bin/true\n');
  });

  it('treats a user with no crontab as empty', async () => {
    await sh(`crontab -r -u ${user} 2>/dev/null; id -u ${user} >/dev/null 2>&1 || useradd -M ${user}`);
    const plan = await planLive(cronModule, { name: 'x', user, schedule: '@hourly', job: 'true' });
    expect(plan.action).toBe('create');
    expect(plan.diff).toContain('@@ -0,0 +1,2 @@');
  });
});
