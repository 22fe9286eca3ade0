/** template on a real host: rendered with host vars, vars and --var; a hand edit and a var change show as diffs. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { labSkip } from '../lab/lab-env.js';
import { change, expectInSync, moduleHost, moduleProject, ok, onHost, res, uniq, type ModuleProject } from './module-lab.js';

describe.skipIf(!!labSkip)('template module on a lab host', () => {
  const path = `/srv/keel-tpl-${uniq()}.conf`;
  const id = `template:${path}`;
  let p: ModuleProject;

  beforeAll(() => {
    p = moduleProject(moduleHost(0), { port: 8000 });
    mkdirSync(join(p.project.dir, 'states', 'templates'));
    writeFileSync(
      join(p.project.dir, 'states', 'templates', 'app.conf.j2'),
      '# {{ inventory_hostname }}\nlisten {{ port }};\n{% for w in workers %}worker {{ w }};\n{% endfor %}',
    );
    p.state(`resources:
  - template: ${path}
    source: templates/app.conf.j2
    vars: {workers: [a, b]}
    mode: "0600"
`);
  });

  it('plans the rendered diff, converges, is in sync, and finds hand edits and variable changes', async () => {
    const plan = await p.plan();
    ok(plan, 2);
    expect(res(plan.report, id).action).toBe('create');
    expect(res(plan.report, id).diff).toContain(`+# ${p.host.name}`);
    expect(res(plan.report, id).diff).toContain('+listen 8000;');

    ok(await p.converge());
    expect(await onHost(p.host, `cat ${path}; stat -c %a ${path}`)).toBe(`# ${p.host.name}\nlisten 8000;\nworker a;\nworker b;\n600\n`);
    await expectInSync(p);

    await onHost(p.host, `sed -i 's/worker b;/worker c;/' ${path} && chmod 644 ${path}`);
    const drift = await p.plan();
    ok(drift, 2);
    expect(res(drift.report, id).diff).toContain('-worker c;');
    expect(res(drift.report, id).diff).toContain('+worker b;');
    expect(change(drift.report, id, 'mode')).toEqual({ field: 'mode', from: '0644', to: '0600' });
    ok(await p.converge());
    await expectInSync(p);

    // a variable from the command line changes the rendering
    const byVar = await p.plan('--var', 'port=9000');
    ok(byVar, 2);
    expect(res(byVar.report, id).diff).toContain('-listen 8000;');
    expect(res(byVar.report, id).diff).toContain('+listen 9000;');
    ok(await p.converge('--var', 'port=9000'));
    expect(await onHost(p.host, `grep listen ${path}`)).toBe('listen 9000;\n');
    await expectInSync(p, '--var', 'port=9000');
    await onHost(p.host, `rm -f ${path}`);
  });
});
