/**
 * The foundation's promises over real SSH on real lab hosts: plan shows drift with diffs,
 * converge fixes it, a second plan is clean, a hand-made change is detected again; hosts run in
 * parallel and an unreachable one never stops the others.
 */
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { keel, keelJson } from '../helpers/keel.js';
import { labHosts, labSkip } from '../lab/lab-env.js';
import { labProject, onHost, type LabProject } from './lab-inventory.js';

describe.skipIf(!!labSkip)('engine over SSH on lab hosts', () => {
  const root = `/srv/keel-t-${randomBytes(3).toString('hex')}`;
  let p: LabProject;
  let lab: ReturnType<typeof labHosts>;

  beforeAll(() => {
    lab = labHosts();
    p = labProject(lab, {
      [lab[0].name]: { address: lab[0].address, states: ['files'] },
      [lab[1].name]: { address: lab[1].address, states: ['files'] },
    });
    p.writeState(
      'files',
      `resources:
  - directory: ${root}
    mode: "0750"
  - file: ${root}/app.conf
    mode: "0640"
    content: |
      host = {{ inventory_hostname }}
      workers = 4
  - command: stamp
    run: "hostname > ${root}/stamp"
    creates: ${root}/stamp
    require: [directory:${root}]
`,
    );
  });

  it('plan shows the drift, converge fixes it, plan is then clean, and a hand change is found again', async () => {
    const plan1 = await keel(['plan', '-i', p.inventory]);
    expect(plan1.code, plan1.stderr).toBe(2);
    expect(plan1.stdout).toContain(`+ file:${root}/app.conf`);
    expect(plan1.stdout).toContain(`+host = ${lab[0].name}`);
    expect(plan1.stdout).toContain(`+host = ${lab[1].name}`);

    const conv = await keelJson(['converge', '-i', p.inventory]);
    expect(conv.code, conv.stderr).toBe(0);
    expect(conv.report.summary).toMatchObject({ hosts: 2, changed: 2, failed: 0, unreachable: 0 });
    expect(await onHost(lab[1], `cat ${root}/app.conf; stat -c %a ${root}/app.conf; cat ${root}/stamp`)).toBe(
      `host = ${lab[1].name}\nworkers = 4\n640\n${lab[1].name}\n`,
    );

    const plan2 = await keel(['plan', '-i', p.inventory]);
    expect(plan2.code, plan2.stdout).toBe(0);
    expect(plan2.stdout).toContain(`${lab[0].name}: in sync`);

    await onHost(lab[0], `sed -i s/workers\\ =\\ 4/workers\\ =\\ 9/ ${root}/app.conf && chmod 644 ${root}/app.conf`);
    const plan3 = await keelJson(['plan', '-i', p.inventory]);
    expect(plan3.code).toBe(2);
    const drifted = plan3.report.hosts.find((h: any) => h.host === lab[0].name);
    const file = drifted.resources.find((r: any) => r.id === `file:${root}/app.conf`);
    expect(file.action).toBe('update');
    expect(file.diff).toContain('-workers = 9');
    expect(file.diff).toContain('+workers = 4');
    expect(file.changes).toContainEqual({ field: 'mode', from: '0644', to: '0640' });
    expect(plan3.report.hosts.find((h: any) => h.host === lab[1].name).status).toBe('in-sync');

    const conv2 = await keel(['converge', '-i', p.inventory]);
    expect(conv2.code).toBe(0);
    expect((await keel(['plan', '-i', p.inventory])).code).toBe(0);
  });

  it('reports an unreachable host while the others converge', async () => {
    const q = labProject(lab, {
      ghost: { address: lab[0].address.replace(/\.\d+$/, '.250'), states: ['touch'] },
      [lab[2].name]: { address: lab[2].address, states: ['touch'] },
    }, { connect_timeout: 2, retries: 0 });
    q.writeState('touch', `resources:\n  - file: ${root}-u\n    content: "x\\n"\n`);
    const res = await keelJson(['converge', '-i', q.inventory, '--detailed-exitcode']);
    expect(res.code).toBe(2 | 8);
    const ghost = res.report.hosts.find((h: any) => h.host === 'ghost');
    expect(ghost.status).toBe('unreachable');
    expect(ghost.error).toMatch(/ghost/);
    expect(res.report.hosts.find((h: any) => h.host === lab[2].name).status).toBe('changed');
    expect(await onHost(lab[2], `cat ${root}-u`)).toBe('x\n');
  });
});
