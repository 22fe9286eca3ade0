/**
 * A file's contents are replaced by renaming a new inode over it: on a real host, the plan says
 * beforehand when that splits hard links or drops file capabilities (text and JSON), for file
 * and for template alike (they share the plan).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labSkip } from '../lab/lab-env.js';
import { moduleHost, moduleProject, ok, onHost, res, uniq, type ModuleProject } from './module-lab.js';

describe.skipIf(!!labSkip)('replacing a file on a lab host', () => {
  const dir = `/srv/keel-replace-${uniq()}`;
  let p: ModuleProject;

  beforeAll(async () => {
    p = moduleProject(moduleHost(2));
    await onHost(p.host, `mkdir -p ${dir} && echo old > ${dir}/linked && ln ${dir}/linked ${dir}/other && echo old > ${dir}/capped && setcap cap_net_bind_service=ep ${dir}/capped`);
    p.state(`resources:
  - file: ${dir}/linked
    content: "new\\n"
  - file: ${dir}/capped
    content: "new\\n"
    mode: "0755"
`);
  });

  afterAll(async () => {
    await onHost(p.host, `rm -rf ${dir}`);
  });

  it('warns before a replace splits hard links or drops capabilities, in JSON and text', async () => {
    const plan = await p.plan();
    ok(plan, 2);
    expect(res(plan.report, `file:${dir}/linked`).warnings).toEqual([
      `replacing ${dir}/linked splits its hard links: 1 other name of the file will keep the old contents`,
    ]);
    expect(res(plan.report, `file:${dir}/capped`).warnings).toEqual([
      `replacing ${dir}/capped drops its file capabilities (cap_net_bind_service=ep): set them again after (setcap)`,
    ]);
    const text = await p.planText();
    expect(text.stdout).toContain(`warning: replacing ${dir}/linked splits its hard links`);
    expect(text.stdout).toContain(`warning: replacing ${dir}/capped drops its file capabilities`);

    // what the warning said is what happens
    ok(await p.converge());
    expect(await onHost(p.host, `cat ${dir}/linked ${dir}/other; getcap ${dir}/capped; stat -c %h ${dir}/linked`)).toBe('new\nold\n1\n');
    const after = await p.plan();
    ok(after, 0);
    expect(res(after.report, `file:${dir}/linked`).warnings).toBeUndefined();
  });
});
