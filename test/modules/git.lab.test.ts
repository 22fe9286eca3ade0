/**
 * git on a real host, against a bare repository made on the host: clone at the branch's commit,
 * a new commit shows as `revision: old -> new`, a hand-made checkout is moved back, and a command
 * with onchanges runs after a git change only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labSkip } from '../lab/lab-env.js';
import { change, expectInSync, moduleHost, moduleProject, ok, onHost, res, uniq, type ModuleProject } from './module-lab.js';

describe.skipIf(!!labSkip)('git module on a lab host', () => {
  const root = `/srv/keel-git-${uniq()}`;
  const bare = `${root}/repo.git`;
  const work = `${root}/work`;
  const checkout = `${root}/checkout`;
  const id = `git:${checkout}`;
  const G = 'git -c user.name=keel -c user.email=keel@example.invalid';
  let p: ModuleProject;
  /** Commit a new version of README in the bare repository (through a work clone); its sha. */
  const commit = async (text: string): Promise<string> =>
    (await onHost(p.host, `set -e; cd ${work}; echo '${text}' > README; ${G} commit -q -am '${text}'; git push -q origin HEAD:main; git rev-parse HEAD`)).trim();
  const head = async (): Promise<string> => (await onHost(p.host, `git -C ${checkout} rev-parse HEAD`)).trim();
  const runs = async (): Promise<number> => Number((await onHost(p.host, `cat ${root}/ran 2>/dev/null | wc -l`)).trim());

  beforeAll(async () => {
    p = moduleProject(moduleHost(0));
    await onHost(
      p.host,
      `set -e; mkdir -p ${root}; git init -q --bare -b main ${bare}; git init -q -b main ${work}; cd ${work}; echo v1 > README; git add README; ${G} commit -q -m v1; git remote add origin ${bare}; git push -q origin main`,
    );
    p.state(`resources:
  - git: ${checkout}
    repo: ${bare}
  - file: ${root}/unrelated
    content: "one\\n"
  - command: after-deploy
    run: "git -C ${checkout} rev-parse HEAD >> ${root}/ran"
    onchanges: [${id}]
`);
  });

  afterAll(async () => {
    await onHost(p.host, `rm -rf ${root}`);
  });

  it('clones, is in sync, moves to a new commit, and runs onchanges after a git change only', async () => {
    const c1 = (await onHost(p.host, `git -C ${bare} rev-parse main`)).trim();
    const plan = await p.plan();
    ok(plan, 2);
    expect(res(plan.report, id).action).toBe('create');
    expect(change(plan.report, id, 'revision')).toEqual({ field: 'revision', from: null, to: c1 });
    expect(res(plan.report, 'command:after-deploy').action).toBe('update');

    ok(await p.converge());
    expect(await head()).toBe(c1);
    expect(await onHost(p.host, `cat ${checkout}/README; git -C ${checkout} remote get-url origin`)).toBe(`v1\n${bare}\n`);
    expect(await runs()).toBe(1);
    await expectInSync(p);

    // another resource changes: the command does not run
    await onHost(p.host, `echo two > ${root}/unrelated`);
    const other = await p.converge();
    ok(other);
    expect(res(other.report, `file:${root}/unrelated`).status).toBe('changed');
    expect(res(other.report, 'command:after-deploy').status).toBe('ok');
    expect(await runs()).toBe(1);

    // a new commit upstream: plan shows old -> new, converge moves the checkout and runs the command
    const c2 = await commit('v2');
    const drift = await p.plan();
    ok(drift, 2);
    expect(change(drift.report, id, 'revision')).toEqual({ field: 'revision', from: c1, to: c2 });
    expect(res(drift.report, 'command:after-deploy').action).toBe('update');
    const moved = await p.converge();
    ok(moved);
    expect(res(moved.report, 'command:after-deploy').status).toBe('changed');
    expect(await head()).toBe(c2);
    expect(await onHost(p.host, `cat ${checkout}/README; tail -n1 ${root}/ran`)).toBe(`v2\n${c2}\n`);
    expect(await runs()).toBe(2);
    await expectInSync(p);

    // by hand: the checkout put back on the old commit
    await onHost(p.host, `git -C ${checkout} checkout -q --detach ${c1}`);
    const back = await p.plan();
    ok(back, 2);
    expect(change(back.report, id, 'revision')).toEqual({ field: 'revision', from: c1, to: c2 });
    ok(await p.converge());
    expect(await head()).toBe(c2);
    expect(await runs()).toBe(3);
    await expectInSync(p);
  });

  it('refuses to move a checkout with local changes unless force is set', async () => {
    const c2 = await head();
    await onHost(p.host, `echo local >> ${checkout}/README`);
    const c3 = await commit('v3');
    const refused = await p.plan();
    ok(refused, 1);
    expect(res(refused.report, id).status).toBe('failed');
    expect(res(refused.report, id).error).toMatch(/local changes/);
    expect(await head()).toBe(c2);

    p.state(`resources:
  - git: ${checkout}
    repo: ${bare}
    force: true
`);
    const forced = await p.plan();
    ok(forced, 2);
    expect(change(forced.report, id, 'revision')).toEqual({ field: 'revision', from: c2, to: c3 });
    expect(change(forced.report, id, 'local_changes')).toEqual({ field: 'local_changes', from: 'present', to: 'discarded' });
    ok(await p.converge());
    expect(await head()).toBe(c3);
    expect(await onHost(p.host, `cat ${checkout}/README; git -C ${checkout} status --porcelain`)).toBe('v3\n');
  });
});
