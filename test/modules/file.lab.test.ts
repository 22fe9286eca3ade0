/** file on a real host: content diff, mode/owner drift, a hand edit found again, absent. */
import { beforeAll, describe, expect, it } from 'vitest';
import { labSkip } from '../lab/lab-env.js';
import { change, expectInSync, hostReport, moduleHost, moduleProject, ok, onHost, res, uniq, type ModuleProject } from './module-lab.js';

describe.skipIf(!!labSkip)('file module on a lab host', () => {
  const dir = `/srv/keel-file-${uniq()}`;
  const path = `${dir}/app.conf`;
  const id = `file:${path}`;
  let p: ModuleProject;

  beforeAll(async () => {
    p = moduleProject(moduleHost(0));
    await onHost(p.host, `mkdir -p ${dir} && printf 'gone\\n' > ${dir}/obsolete`);
    p.state(`resources:
  - file: ${path}
    mode: "0640"
    owner: root
    group: daemon
    content: |
      host = {{ inventory_hostname }}
      workers = 4
  - file: ${dir}/obsolete
    state: absent
`);
  });

  it('plans, converges, is in sync, and finds a hand-made edit again', async () => {
    const plan = await p.plan();
    ok(plan, 2);
    expect(res(plan.report, id).action).toBe('create');
    expect(res(plan.report, id).diff).toContain(`+host = ${p.host.name}`);
    expect(res(plan.report, `file:${dir}/obsolete`).action).toBe('delete');

    const conv = await p.converge();
    ok(conv);
    expect(hostReport(conv.report).status).toBe('changed');
    expect(await onHost(p.host, `cat ${path}; stat -c '%a %U %G' ${path}; test -e ${dir}/obsolete || echo absent`)).toBe(
      `host = ${p.host.name}\nworkers = 4\n640 root daemon\nabsent\n`,
    );
    await expectInSync(p);

    await onHost(p.host, `sed -i 's/workers = 4/workers = 9/' ${path} && chmod 0644 ${path} && chgrp root ${path}`);
    const drift = await p.plan();
    ok(drift, 2);
    const r = res(drift.report, id);
    expect(r.action).toBe('update');
    expect(r.diff).toContain('-workers = 9');
    expect(r.diff).toContain('+workers = 4');
    expect(change(drift.report, id, 'mode')).toEqual({ field: 'mode', from: '0644', to: '0640' });
    expect(change(drift.report, id, 'group')).toEqual({ field: 'group', from: 'root', to: 'daemon' });

    ok(await p.converge());
    expect(await onHost(p.host, `cat ${path}; stat -c '%a %U %G' ${path}`)).toBe(`host = ${p.host.name}\nworkers = 4\n640 root daemon\n`);
    await expectInSync(p);
  });
});
