/**
 * A git repo URL with credentials (`http://user:token@10.199.0.1:PORT/repo.git`), served by a
 * real git http-backend behind basic auth on the lab bridge, converged on a lab host: a fresh
 * clone as another user (su) and a checkout cloned by hand with the credentials in its origin.
 * The user and token must appear in zero bytes of the host's process list while keel runs, of
 * the checkouts' .git directories, and of keel's stdout, --json and trace logs; a second plan
 * is empty.
 *
 * The process list is read two ways: the HTTP server snapshots it while it holds each request
 * (the host's git and its remote helper are alive then, so this cannot miss them), and a
 * sampler on the host reads it over and over for the whole run.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { labHosts, labSkip } from '../lab/lab-env.js';
import { change, expectInSync, moduleProject, onHost, res, uniq, type ModuleProject } from '../modules/module-lab.js';
import { startGitHttpServer, type GitHttpServer } from './git-http-server.js';
import { PS_SNAPSHOT, startPsSampler } from './ps-sampler.js';
import { tracedRuns } from './traced-runs.js';

const token = randomBytes(8).toString('hex');
const userTag = randomBytes(4).toString('hex');
const USERNAME = `deploy-${userTag}`;
/** An `@` in it: the URL carries it percent-encoded, the server wants it decoded. */
const PASSWORD = `tok-${token}@x`;

describe.skipIf(!!labSkip)('git credentials in the repo URL on a lab host', () => {
  const u = uniq();
  const dir = `/tmp/keel-gitcred-${u}`;
  const local = mkdtempSync(join(tmpdir(), 'keel-gitcred-'));
  const G = ['-c', 'user.name=keel', '-c', 'user.email=keel@example.invalid'];
  const git = (...args: string[]) => execFileSync('git', args, { cwd: local, encoding: 'utf8' }).trim();
  let m: ModuleProject;
  let server: GitHttpServer;
  let snapshots: string[] = [];
  let watching = false;

  beforeAll(async () => {
    const host = labHosts().find((h) => h.name === 'lab6');
    if (!host) throw new Error('this test needs lab6 (KEEL_LAB_HOSTS=10)');
    m = moduleProject(host);
    git('init', '-q', '--bare', '-b', 'main', 'repo.git');
    git('init', '-q', '-b', 'main', 'work');
    execFileSync('sh', ['-c', `cd work && echo v1 > README && git add README && git ${G.join(' ')} commit -qm v1 && git push -q ../repo.git main`], { cwd: local });
    server = await startGitHttpServer({
      projectRoot: local,
      username: USERNAME,
      password: PASSWORD,
      address: '10.199.0.1',
      onRequest: async () => {
        if (watching) snapshots.push(await onHost(m.host, PS_SNAPSHOT));
      },
    });
    const withCreds = `http://${USERNAME}:${encodeURIComponent(PASSWORD)}@${server.base.slice('http://'.length)}/repo.git`;
    // a checkout made by hand (or by an older keel): its origin carries the credentials
    await onHost(m.host, `mkdir -p ${dir} && chmod 1777 ${dir} && GIT_TERMINAL_PROMPT=0 git clone -q '${withCreds}' ${dir}/legacy`);
    expect(await onHost(m.host, `git -C ${dir}/legacy remote get-url origin`)).toContain(token);
    m.state(
      stringify({
        resources: [
          { git: `${dir}/fresh`, repo: withCreds, rev: 'main', user: 'nobody' },
          { git: `${dir}/legacy`, repo: withCreds },
        ],
      }),
    );
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    if (m) await onHost(m.host, `rm -rf ${dir} ${dir}-s`);
    rmSync(local, { recursive: true, force: true });
  });

  it('clones and converges with the credentials, which show up nowhere', async () => {
    // a new commit after the hand-made clone: converging the legacy checkout fetches it
    execFileSync('sh', ['-c', `cd work && echo v2 > README && git ${G.join(' ')} commit -qam v2 && git push -q ../repo.git main`], { cwd: local });
    const head = git('-C', 'repo.git', 'rev-parse', 'main');
    const clean = `${server.base}/repo.git`;
    const sampler = await startPsSampler(m.host, `${dir}-s`);
    watching = true;
    const { run, keep, outputs } = tracedRuns(m.project);

    const plan = keep(await run('plan', '--json'), 2);
    const report = JSON.parse(plan.stdout);
    expect(change(report, `git:${dir}/fresh`, 'revision')).toEqual({ field: 'revision', from: null, to: head });
    expect(res(report, `git:${dir}/legacy`).changes).toEqual([
      { field: 'repo', from: `http://***@${server.base.slice('http://'.length)}/repo.git`, to: clean },
      { field: 'revision', from: expect.stringMatching(/^[0-9a-f]{40}$/), to: head },
    ]);
    expect(plan.log).toContain('"msg":"facts"'); // debug-level lines are there
    keep(await run('plan'), 2);
    const conv = keep(await run('converge', '--json'), 0);
    expect(JSON.parse(conv.stdout).hosts[0].summary).toMatchObject({ changed: 2, failed: 0 });
    expect(conv.log).toContain('"msg":"run"'); // the apply scripts were logged, at debug

    watching = false;
    const samples = await sampler.stop();
    await expectInSync(m);

    // the checkouts are real, at the commit, owned by the user, with the clean origin
    expect(await onHost(m.host, `cat ${dir}/fresh/README ${dir}/legacy/README; stat -c %U ${dir}/fresh/README`)).toBe('v2\nv2\nnobody\n');
    for (const c of ['fresh', 'legacy']) expect(await onHost(m.host, `git -c safe.directory='*' -C ${dir}/${c} remote get-url origin`)).toBe(`${clean}\n`);
    // the server was asked with the credentials, after a 401 without them
    expect(server.requests.filter((r) => r.authorized).length).toBeGreaterThan(2);

    // the snapshots saw git talking to the server (so they were taken while credentials were in use)
    const ps = snapshots.join('\n');
    expect(ps).toContain(`git-remote-http origin ${clean}`);
    expect(samples).toContain('sh -c');
    for (const secret of [token, userTag]) {
      expect(ps).not.toContain(secret);
      expect(samples).not.toContain(secret);
      expect(await onHost(m.host, `grep -rl ${secret} ${dir}/fresh/.git ${dir}/legacy/.git || true`)).toBe('');
      for (const text of outputs) expect(text).not.toContain(secret);
    }
  }, 240_000);
});
