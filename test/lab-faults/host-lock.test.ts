/**
 * The host run lock on a real lab host (lab9: no other test uses it, so holding its lock never
 * delays anyone): a second converge waits and then sees the first one's change, or gives up
 * after --lock-timeout naming the holder; plan does not lock, drift does; become and a non-root
 * login share or keep their own lock; SIGKILL of the controller releases the lock at once.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keel, keelJson } from '../helpers/keel.js';
import { startKeel, type KeelProcess } from '../helpers/keel-process.js';
import type { LabTestHost } from '../lab/global-setup.js';
import { labHosts, labSkip } from '../lab/lab-env.js';
import { faultHost } from './host-faults.js';
import { labProject, onHost, type LabProject } from '../lab-ssh/lab-inventory.js';

describe.skipIf(!!labSkip)('host run lock (lab9)', () => {
  const dir = `/srv/keel-lock-${randomBytes(3).toString('hex')}`;
  let h: LabTestHost;
  const projects: LabProject[] = [];
  const project = (state: string, extra: Record<string, unknown> = {}) => {
    const p = labProject(labHosts(), { [h.name]: { address: h.address, states: ['main'], vars: { dir }, ...extra } });
    p.writeState('main', state);
    projects.push(p);
    return p;
  };
  // holds the run on the host until the test creates `go`; `started` says it is in flight
  const holding = (tag: string) => `resources:
  - command: hold-${tag}
    run: "touch ${dir}/started-${tag}; while [ ! -e ${dir}/go-${tag} ]; do sleep 0.1; done"
  - line: ${dir}/shared.conf
    text: "${tag}=1"
    require: [command:hold-${tag}]
`;
  const started = (tag: string) => onHost(h, `until [ -e ${dir}/started-${tag} ]; do sleep 0.1; done`);
  const go = (tag: string) => onHost(h, `touch ${dir}/go-${tag}`);
  const hold = async (tag: string): Promise<{ a: KeelProcess; p: LabProject }> => {
    const p = project(holding(tag));
    const a = startKeel(['converge', '-i', p.inventory, '--json']);
    await started(tag);
    return { a, p };
  };

  beforeAll(async () => {
    h = faultHost('lab9');
    await onHost(h, `mkdir -p ${dir} && printf 'base\\n' > ${dir}/shared.conf`);
  });
  afterAll(async () => {
    await onHost(h, `rm -rf ${dir} /home/deploy/keel-lock-*`);
    for (const p of projects) rmSync(p.dir, { recursive: true, force: true });
  });

  it('makes a second converge wait, then run on the first one\'s result (no lost change)', async () => {
    const { a } = await hold('a');
    const b = startKeel(['converge', '-i', project(`resources:\n  - line: ${dir}/shared.conf\n    text: "b=1"\n`).inventory, '--json']);
    await b.stderrMatches(/lab9: waiting up to 60 s for the host lock held by keel converge -i .*\(pid \d+ on /);
    await go('a');
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect(ra.code, ra.stdout + ra.stderr).toBe(0);
    expect(rb.code, rb.stdout + rb.stderr).toBe(0);
    expect(await onHost(h, `cat ${dir}/shared.conf`)).toBe('base\na=1\nb=1\n');
  });

  it('fails a run that waited --lock-timeout, naming the holder; become shares the lock; plan does not lock, drift does', async () => {
    const { a, p } = await hold('t');
    try {
      const state = `resources:\n  - line: ${dir}/shared.conf\n    text: "late=1"\n`;
      const late = await keelJson(['converge', '-i', project(state, { user: 'deploy', become: true }).inventory, '--lock-timeout', '1']);
      expect(late.code).toBe(1);
      const host = late.report.hosts[0];
      expect(host.status).toBe('failed');
      expect(host.error).toContain(`another run holds this host's lock: keel converge -i ${p.inventory} (pid ${a.pid} on ${hostname()}, started `);
      expect(host.error).toContain('gave up after --lock-timeout 1 s');

      const plan = await keelJson(['plan', '-i', project(state).inventory]);
      expect(plan.code).toBe(2);
      expect(plan.stderr).not.toMatch(/waiting/);

      const drift = await keelJson(['drift', '-i', project(state).inventory, '--state-dir', `${projects.at(-1)!.dir}/.keel`]);
      expect(drift.code).toBe(1);
      expect(drift.report.hosts[0].error).toContain(`(pid ${a.pid} on ${hostname()}`);
    } finally {
      await go('t');
    }
    expect((await a.done).code).toBe(0);
    expect(await onHost(h, `grep -c late ${dir}/shared.conf || true`)).toBe('0\n');
  });

  it('is released at once when the controller is killed (SIGKILL): the next run does not wait', async () => {
    const { a } = await hold('k');
    process.kill(a.pid, 'SIGKILL');
    expect((await a.done).signal).toBe('SIGKILL');
    const next = await keelJson(['converge', '-i', project(`resources:\n  - line: ${dir}/shared.conf\n    text: "next=1"\n`).inventory, '--lock-timeout', '0']);
    await go('k'); // ends the killed run's step, still looping on the host
    expect(next.code, next.stdout + next.stderr).toBe(0);
    expect(next.stderr).not.toMatch(/waiting/);
  });

  it('gives a non-root login without become its own 0600 lock in a 0700 directory', async () => {
    const file = `/home/deploy/keel-lock-${randomBytes(3).toString('hex')}`;
    await onHost(h, 'rm -rf /run/lock/keel-1000'); // made by this run, not left by an earlier one
    const r = await keel(['converge', '-i', project(`resources:\n  - file: ${file}\n    content: "x\\n"\n`, { user: 'deploy' }).inventory]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await onHost(h, `stat -c '%U %a' /run/lock/keel-1000 /run/lock/keel-1000/run.lock`)).toBe('deploy 700\ndeploy 600\n');
  });
});
