/**
 * `loop` and `when` on a real host (lab1), through the real CLI: a loop of three items
 * converges three files and then plans in sync, a hand-made change to one item is found again;
 * a resource whose condition is false is reported skipped, never created, never probed (an
 * apt package that does not exist would fail both), and the host is not failed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labSkip } from '../lab/lab-env.js';
import { expectInSync, hostReport, moduleHost, moduleProject, ok, onHost, res, uniq, type ModuleProject } from '../modules/module-lab.js';

describe.skipIf(!!labSkip)('loop and when on a lab host', () => {
  const dir = `/srv/keel-loop-${uniq()}`;
  let p: ModuleProject;

  beforeAll(async () => {
    p = moduleProject(moduleHost(0), { env_name: 'staging', sites: [{ name: 'shop', port: 8001 }, { name: 'blog', port: 8002 }, { name: 'docs', port: 8003 }] });
    p.state(`resources:
  - directory: ${dir}
  - file: "${dir}/{{ site.name }}.conf"
    loop: "{{ sites }}"
    loop_var: site
    content: "listen {{ site.port }}\\n"
    require: directory:${dir}
  - file: ${dir}/production-only
    when: "env_name == 'production'"
    content: "prod\\n"
  - pkg: keel-no-such-package-${uniq()}
    when: "env_name == 'production'"
`);
  });
  afterAll(async () => {
    await onHost(p.host, `rm -rf ${dir}`);
  });

  it('converges one file per item, skips the false condition, and plans in sync after', async () => {
    const conv = await p.converge();
    ok(conv);
    const host = hostReport(conv.report);
    expect(host.status).toBe('changed');
    expect(host.summary).toMatchObject({ changed: 4, skipped: 2, failed: 0 });
    expect(res(conv.report, `file:${dir}/production-only`)).toMatchObject({ status: 'skipped', condition: "env_name == 'production'" });
    expect(await onHost(p.host, `cd ${dir} && ls && cat blog.conf`)).toBe('blog.conf\ndocs.conf\nshop.conf\nlisten 8002\n');

    await expectInSync(p);
    const text = await p.planText();
    ok(text);
    expect(text.stdout).toContain(`file:${dir}/production-only`);
    expect(text.stdout).toContain(`skipped: when "env_name == 'production'" is false`);
  });

  it('finds a hand-made change to one loop item, and only that one', async () => {
    await onHost(p.host, `echo 'listen 9999' > ${dir}/docs.conf`);
    const drift = await p.plan();
    ok(drift, 2);
    const changed = hostReport(drift.report).resources.filter((r: { action: string }) => r.action !== 'none');
    expect(changed.map((r: { id: string }) => r.id)).toEqual([`file:${dir}/docs.conf`]);
    expect(changed[0].diff).toContain('+listen 8003');
    ok(await p.converge());
    await expectInSync(p);
  });

  it('plans the resource once its condition holds', async () => {
    const prod = await p.plan('--var', 'env_name=production');
    ok(prod, 2);
    expect(res(prod.report, `file:${dir}/production-only`)).toMatchObject({ action: 'create', status: 'planned' });
  });
});
