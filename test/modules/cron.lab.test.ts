/** cron on a real host: one marked entry in a user's crontab, every other line kept, hand edits found again. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labSkip } from '../lab/lab-env.js';
import { change, expectInSync, moduleHost, moduleProject, ok, onHost, res, uniq, type ModuleProject } from './module-lab.js';

describe.skipIf(!!labSkip)('cron module on a lab host', () => {
  const user = `kc${uniq()}`;
  // lines written by hand that keel must keep: a variable, a comment, a job of someone else, and
  // an old keel entry that the state removes
  const theirs = 'MAILTO=""\n# hand-written\n0 1 * * * /bin/true mine\n';
  const oldEntry = '# keel: old\n5 5 * * * /bin/true old\n';
  const ours = '# keel: backup\n30 2 * * * /bin/echo backup \\%s >/dev/null\n';
  let p: ModuleProject;

  beforeAll(async () => {
    p = moduleProject(moduleHost(0));
    await onHost(p.host, `useradd -M ${user} && printf '%s' '${theirs}${oldEntry}' | crontab -u ${user} -`);
    p.state(`resources:
  - cron: backup
    user: ${user}
    schedule: "30 2 * * *"
    job: '/bin/echo backup \\%s >/dev/null'
  - cron: old
    user: ${user}
    state: absent
`);
  });

  afterAll(async () => {
    await onHost(p.host, `crontab -r -u ${user} 2>/dev/null; userdel ${user}; true`);
  });

  it('plans the crontab diff, converges keeping other lines, is in sync, and finds a hand edit again', async () => {
    const plan = await p.plan();
    ok(plan, 2);
    const backup = res(plan.report, 'cron:backup');
    expect(backup.action).toBe('create');
    expect(backup.diff).toContain('+# keel: backup');
    expect(backup.diff).toContain('+30 2 * * * /bin/echo backup \\%s >/dev/null');
    expect(res(plan.report, 'cron:old').action).toBe('delete');

    ok(await p.converge());
    expect(await onHost(p.host, `crontab -l -u ${user}`)).toBe(theirs + ours);
    await expectInSync(p);

    // by hand: another schedule for our entry, and a new line of someone else's
    await onHost(p.host, `crontab -l -u ${user} | sed 's/^30 2 /45 3 /' | { cat; echo '@hourly /bin/true added'; } | crontab -u ${user} -`);
    const drift = await p.plan();
    ok(drift, 2);
    expect(change(drift.report, 'cron:backup', 'schedule')).toEqual({ field: 'schedule', from: '45 3 * * *', to: '30 2 * * *' });
    expect(res(drift.report, 'cron:backup').diff).toContain('-45 3 * * * /bin/echo backup');
    expect(res(drift.report, 'cron:old').action).toBe('none');

    ok(await p.converge());
    expect(await onHost(p.host, `crontab -l -u ${user}`)).toBe(`${theirs}${ours}@hourly /bin/true added\n`);
    await expectInSync(p);
  });
});
