/** line on a real host: replace the matching line, insert after an anchor, remove; the rest of the file stays. */
import { beforeAll, describe, expect, it } from 'vitest';
import { labSkip } from '../lab/lab-env.js';
import { expectInSync, moduleHost, moduleProject, ok, onHost, res, uniq, type ModuleProject } from './module-lab.js';

describe.skipIf(!!labSkip)('line module on a lab host', () => {
  const path = `/srv/keel-line-${uniq()}.conf`;
  let p: ModuleProject;

  beforeAll(async () => {
    p = moduleProject(moduleHost(1));
    await onHost(p.host, `printf '# config\\n#PermitRootLogin yes\\nPort 22\\nDEBUG=1\\nDEBUG=2\\n# end\\n' > ${path}`);
    p.state(`resources:
  - line: ${path}
    id: root-login
    match: "^#?PermitRootLogin"
    text: "PermitRootLogin no"
  - line: ${path}
    id: listen
    text: "ListenAddress 0.0.0.0"
    insert_after: '^Port '
    require: [root-login]
  - line: ${path}
    id: no-debug
    match: "^DEBUG="
    state: absent
    require: [listen]
`);
  });

  it('plans the diff, converges, is in sync, and finds a hand-made edit again', async () => {
    const plan = await p.plan();
    ok(plan, 2);
    expect(res(plan.report, 'root-login').diff).toContain('-#PermitRootLogin yes');
    expect(res(plan.report, 'root-login').diff).toContain('+PermitRootLogin no');

    ok(await p.converge());
    expect(await onHost(p.host, `cat ${path}`)).toBe('# config\nPermitRootLogin no\nPort 22\nListenAddress 0.0.0.0\n# end\n');
    await expectInSync(p);

    await onHost(p.host, `sed -i 's/^PermitRootLogin no/PermitRootLogin yes/' ${path} && echo DEBUG=3 >> ${path}`);
    const drift = await p.plan();
    ok(drift, 2);
    expect(res(drift.report, 'root-login').diff).toContain('-PermitRootLogin yes');
    expect(res(drift.report, 'root-login').diff).toContain('+PermitRootLogin no');
    expect(res(drift.report, 'no-debug').action).not.toBe('none');
    expect(res(drift.report, 'listen').action).not.toBe('update');

    ok(await p.converge());
    expect(await onHost(p.host, `cat ${path}`)).toBe('# config\nPermitRootLogin no\nPort 22\nListenAddress 0.0.0.0\n# end\n');
    await expectInSync(p);
    await onHost(p.host, `rm -f ${path}`);
  });
});
