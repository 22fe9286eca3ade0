/** directory on a real host: create with parents, mode/owner drift, absent with force. */
import { beforeAll, describe, expect, it } from 'vitest';
import { labSkip } from '../lab/lab-env.js';
import { change, expectInSync, moduleHost, moduleProject, ok, onHost, res, uniq, type ModuleProject } from './module-lab.js';

describe.skipIf(!!labSkip)('directory module on a lab host', () => {
  const root = `/srv/keel-dir-${uniq()}`;
  const path = `${root}/a/b`;
  const id = `directory:${path}`;
  let p: ModuleProject;

  beforeAll(async () => {
    p = moduleProject(moduleHost(1));
    await onHost(p.host, `mkdir -p ${root}/old/sub && touch ${root}/old/sub/f`);
    p.state(`resources:
  - directory: ${path}
    mode: "0750"
    owner: daemon
    group: daemon
  - directory: ${root}/old
    state: absent
    force: true
`);
  });

  it('plans, converges, is in sync, and finds a hand-made chmod/chown again', async () => {
    const plan = await p.plan();
    ok(plan, 2);
    expect(res(plan.report, id).action).toBe('create');
    expect(change(plan.report, id, 'mode')).toEqual({ field: 'mode', from: null, to: '0750' });
    expect(change(plan.report, id, 'owner')).toEqual({ field: 'owner', from: null, to: 'daemon' });
    expect(res(plan.report, `directory:${root}/old`).action).toBe('delete');

    ok(await p.converge());
    expect(await onHost(p.host, `stat -c '%F %a %U %G' ${path}; test -e ${root}/old || echo absent`)).toBe('directory 750 daemon daemon\nabsent\n');
    await expectInSync(p);

    await onHost(p.host, `chmod 0777 ${path} && chown root:root ${path}`);
    const drift = await p.plan();
    ok(drift, 2);
    expect(res(drift.report, id).action).toBe('update');
    expect(change(drift.report, id, 'mode')).toEqual({ field: 'mode', from: '0777', to: '0750' });
    expect(change(drift.report, id, 'owner')).toEqual({ field: 'owner', from: 'root', to: 'daemon' });
    expect(change(drift.report, id, 'group')).toEqual({ field: 'group', from: 'root', to: 'daemon' });

    ok(await p.converge());
    expect(await onHost(p.host, `stat -c '%a %U %G' ${path}`)).toBe('750 daemon daemon\n');
    await expectInSync(p);
    await onHost(p.host, `rm -rf ${root}`);
  });
});
