/** command on a real host: guards (creates, unless with user/env/cwd) decide, failures carry stderr. */
import { beforeAll, describe, expect, it } from 'vitest';
import { labSkip } from '../lab/lab-env.js';
import { change, expectInSync, hostReport, moduleHost, moduleProject, ok, onHost, res, uniq, type ModuleProject } from './module-lab.js';

describe.skipIf(!!labSkip)('command module on a lab host', () => {
  const root = `/srv/keel-cmd-${uniq()}`;
  let p: ModuleProject;

  beforeAll(async () => {
    p = moduleProject(moduleHost(2));
    p.state(`resources:
  - directory: ${root}
    mode: "0777"
  - command: stamp
    run: "hostname > stamp"
    cwd: ${root}
    creates: stamp
  - command: as-daemon
    run: 'printf "%s %s\\n" "$(id -un)" "$GREETING" > ${root}/who'
    user: daemon
    env: {GREETING: hello}
    unless: 'grep -qx "daemon $GREETING" ${root}/who'
    require: [directory:${root}]
`);
  });

  it('runs when its guard says so, is in sync afterwards, and runs again after a hand-made removal', async () => {
    const plan = await p.plan();
    ok(plan, 2);
    // cwd does not exist yet: the commands are shown as running (their guards cannot be read yet)
    expect(change(plan.report, 'command:stamp', 'run')).toMatchObject({ to: 'hostname > stamp' });
    expect(res(plan.report, 'command:as-daemon').action).not.toBe('none');

    ok(await p.converge());
    expect(await onHost(p.host, `cat ${root}/stamp ${root}/who; stat -c %U ${root}/who`)).toBe(`${p.host.name}\ndaemon hello\ndaemon\n`);
    await expectInSync(p);

    // a hand-made change: the unless guard no longer holds, the creates file is gone
    await onHost(p.host, `echo 'daemon bye' > ${root}/who && rm ${root}/stamp`);
    const drift = await p.plan();
    ok(drift, 2);
    expect(res(drift.report, 'command:stamp').action).toBe('update');
    expect(res(drift.report, 'command:as-daemon').action).toBe('update');
    expect(res(drift.report, `directory:${root}`).action).toBe('none');

    ok(await p.converge());
    expect(await onHost(p.host, `cat ${root}/stamp ${root}/who`)).toBe(`${p.host.name}\ndaemon hello\n`);
    await expectInSync(p);
  });

  it('fails a command that exits non-zero with its stderr, and skips what requires it', async () => {
    const q = moduleProject(moduleHost(2));
    q.state(`resources:
  - command: broken
    run: "echo boom-${root} >&2; exit 3"
    creates: ${root}/never
  - command: after
    run: "touch ${root}/after"
    creates: ${root}/after
    require: [command:broken]
`);
    const conv = await q.converge();
    ok(conv, 1);
    const broken = res(conv.report, 'command:broken');
    expect(broken.status).toBe('failed');
    expect(broken.error).toContain(`boom-${root}`);
    expect(broken.error).toMatch(/\b3\b/);
    expect(res(conv.report, 'command:after').status).toBe('skipped');
    expect(hostReport(conv.report).status).toBe('failed');
    expect(await onHost(q.host, `test -e ${root}/after || echo absent`)).toBe('absent\n');
    await onHost(p.host, `rm -rf ${root}`);
  });
});
