import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shq } from '../../src/shell.js';
import { applyContext, checkFixture, loadFixtures, planLive, sh } from '../test-helpers.js';
import { gitApplyScript, gitModule, type GitSpec } from './git.js';
import { resolveRev } from './git-probe.js';

const fixtures = new URL('./fixtures', import.meta.url).pathname;

describe('git fixtures', () => {
  it.each(loadFixtures(fixtures))('%s', (_name, fx) => checkFixture(gitModule, fx));
});

describe('git helpers', () => {
  const a = 'a'.repeat(40);
  const b = 'b'.repeat(40);
  it('prefers a branch to a tag of the same name', () => {
    expect(resolveRev('x', [{ sha: a, ref: 'refs/tags/x' }, { sha: b, ref: 'refs/heads/x' }])).toEqual({ sha: b, ref: 'refs/heads/x' });
  });
  it('runs the apply script as the user, quoted', () => {
    const s = gitApplyScript({ name: "/srv/it's", repo: 'r', user: 'app' }, { op: 'clone', sha: a, fetch: 'HEAD', setUrl: false, checkout: true });
    expect(s.startsWith("su -s /bin/sh -c 'set -e")).toBe(true);
    expect(s.endsWith(' app')).toBe(true);
  });
  it('requires its parents, user and git', () => {
    expect(gitModule.autoRequires!({ name: '/srv/app/src', repo: 'r', user: 'app' })).toEqual([
      'directory:/srv/app',
      'directory:/srv',
      'user:app',
      'pkg:git',
    ]);
  });
});

describe.skipIf(process.getuid?.() !== 0 && process.env.CI !== 'true')('git on this machine', () => {
  const user = 'keeltest_git';
  let root = '';
  let bare = '';
  let work = '';
  let path = '';
  /** The author and the origin are the checkout's user's, as git's safe.directory check wants. */
  const asUser = (script: string) => sh(`su -s /bin/sh -c ${shq(`cd / && ${script}`)} ${user}`);
  const commit = async (msg: string): Promise<string> => {
    const r = await asUser(
      `cd ${work} && echo ${msg} >> file && git add file && git -c user.name=t -c user.email=t@e commit -qm ${msg} && git push -q origin HEAD:main && git rev-parse HEAD`,
    );
    expect(r.stderr.toString()).toBe('');
    return r.stdout.toString().trim();
  };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'keel-git-'));
    [bare, work, path] = [join(root, 'origin.git'), join(root, 'author'), join(root, 'home', 'checkout')];
    await sh(`userdel -r ${user} 2>/dev/null; useradd -M ${user}`);
    expect((await sh(`chmod 755 ${root} && mkdir ${root}/home && chown ${user} ${root} ${root}/home`)).code).toBe(0);
    const r = await asUser(`git init -q --bare -b main ${bare} && git init -q -b main ${work} && git -C ${work} remote add origin ${bare}`);
    expect(r.code).toBe(0);
  });
  afterAll(async () => {
    if (root) await sh(`rm -rf ${root}`);
    await sh(`userdel ${user} 2>/dev/null; true`);
  });

  it('clones as the user, is idempotent, follows a new commit, refuses local changes unless forced', async () => {
    const c1 = await commit('one');
    await asUser(`git -C ${work} -c user.name=t -c user.email=t@e tag -a v1 -m v1 && git -C ${work} push -q origin v1`);
    const c2 = await commit('two');
    const ctx = applyContext();
    const spec: GitSpec = { name: path, repo: bare, user };

    const p1 = await planLive(gitModule, spec);
    expect(p1).toMatchObject({ action: 'create', changes: [{ field: 'revision', from: null, to: c2 }] });
    await gitModule.apply(ctx, p1, spec);
    expect(await planLive(gitModule, spec)).toEqual({ action: 'none', changes: [] });
    expect((await sh(`stat -c %U ${path}/file`)).stdout.toString().trim()).toBe(user);

    const c3 = await commit('three');
    const p2 = await planLive(gitModule, spec);
    expect(p2.changes).toEqual([{ field: 'revision', from: c2, to: c3 }]);
    await gitModule.apply(ctx, p2, spec);
    expect((await planLive(gitModule, spec)).action).toBe('none');

    // An annotated tag resolves to its commit; a local change blocks the move.
    const tagged: GitSpec = { ...spec, rev: 'v1' };
    await sh(`echo local >> ${path}/file`);
    await expect(planLive(gitModule, tagged)).rejects.toThrow('has local changes');
    const forced: GitSpec = { ...tagged, force: true };
    const p3 = await planLive(gitModule, forced);
    expect(p3.changes).toEqual([
      { field: 'revision', from: c3, to: c1 },
      { field: 'local_changes', from: 'present', to: 'discarded' },
    ]);
    await gitModule.apply(ctx, p3, forced);
    expect((await planLive(gitModule, forced)).action).toBe('none');
    expect((await sh(`git -c safe.directory='*' -C ${path} status --porcelain`)).stdout.toString()).toBe('');

    // A full sha is used as is.
    const bySha: GitSpec = { ...spec, rev: c2 };
    const p4 = await planLive(gitModule, bySha);
    expect(p4.changes).toEqual([{ field: 'revision', from: c1, to: c2 }]);
    await gitModule.apply(ctx, p4, bySha);
    expect((await planLive(gitModule, bySha)).action).toBe('none');
  });

  it('says when the remote cannot be read', async () => {
    await expect(planLive(gitModule, { name: join(root, 'x'), repo: join(root, 'nope.git') })).rejects.toThrow('git ls-remote');
  });
});
