import { KeelError } from '../../src/errors.js';
import type { BaseSpec, Change, Plan, PlanContext, ResourceModule } from '../../src/module.js';
import { shargs } from '../../src/shell.js';
import { assertAbsolutePath, parentDirs } from '../shared/index.js';
import { credentialOptions, credentialReader, credentialStdin, redactUrl, splitRepoUrl, type GitCredentials } from './git-credentials.js';
import { asUser, GIT_ENV, gitProbe, isFullSha, parseGitProbe, resolveRev, type GitState } from './git-probe.js';

export interface GitSpec extends BaseSpec {
  repo: string;
  rev?: string;
  user?: string;
  force?: boolean;
  /** Set by prepare: the user info taken out of an http(s) `repo` (which is then without it). */
  credentials?: GitCredentials;
}

export interface GitSteps {
  op: 'clone' | 'update';
  sha: string;
  /** What to fetch when the commit is not in the default refspecs (a ref name, or the sha). */
  fetch: string;
  setUrl: boolean;
  checkout: boolean;
}

const doc = `Keeps a git checkout at an exact revision. The name is the checkout's absolute path.

Parameters:
- repo (string, required): the repository URL or path, used as the remote "origin".
- rev (string, default HEAD: the remote's default branch): a branch, a tag, a full ref name, or
  a full 40-character commit sha (used as is, without asking the remote). Branches and tags are
  resolved with \`git ls-remote\` at plan time, so the plan shows the exact commit it checks out.
- user (string): owner of the checkout; clone, fetch and checkout run as this user (su), and so
  does ls-remote once the user exists (its SSH keys and git config apply). keel must run as root.
  Unset: they run as the connecting user (root under become).
- force (boolean, default false): discard local changes to tracked files. Without force a
  checkout with local changes that needs another revision is an error at plan time, and its
  changes are left alone when it is already at the wanted revision. Untracked files are never
  touched.

The checkout is left detached at the exact commit (\`git checkout --detach <sha>\`), as Ansible
does: a branch moves only when keel runs again. A missing checkout is cloned (into an absent
path or an empty directory; the parent directory must be writable by the user); an existing one
is fetched and checked out; a changed repo updates origin's URL. Anything else at the path is an
error. git must be installed on the host: the plan fails when it is missing unless \`pkg:git\`
changes in the same run. The parent directories, the user and \`pkg:git\` are required
automatically when they are declared.

Credentials in an http(s) URL (\`https://user:token@host/x.git\`, percent-encoded) are secret:
the host's git is given the URL without them (that is also origin's URL in the checkout's
.git/config), and gets them from a credential helper that reads them from its environment, in
place of any helper configured on the host (so none stores them). They never appear in the
host's process list, in the checkout, or in keel's output, logs and errors, where a URL's user
info shows as \`***\`. A checkout whose origin still carries credentials (cloned by hand,
or by an earlier keel) is planned as a \`repo\` change and converged to the clean URL. A user
without a password is sent with an empty one. A password in any other URL (\`ssh://u:pw@host\`) is an
error: git cannot use it there.

Example:
<!-- docs-test: {"also": "- directory: /srv/app\\n"} -->
\`\`\`yaml
- git: /srv/app/src
  repo: https://github.com/example/app.git
  rev: v1.4.2
  user: app
  require: [directory:/srv/app]
\`\`\``;

function targetCommit(spec: GitSpec, cur: GitState): { sha: string; fetch: string } {
  const rev = spec.rev ?? 'HEAD';
  if (isFullSha(rev)) return { sha: rev.toLowerCase(), fetch: rev.toLowerCase() };
  const remote = cur.remote;
  if (!remote) throw new KeelError('E_PROBE', `git ${spec.name}: the remote was not asked for ${rev}`);
  if ('error' in remote) {
    throw new KeelError('E_GIT_REMOTE', `git ls-remote ${redactUrl(spec.repo)} ${rev} failed: ${redactUrl(remote.error)}`, {
      resource: `git:${spec.name}`,
    });
  }
  const found = resolveRev(rev, remote.refs);
  if (!found) {
    throw new KeelError('E_GIT_REV', `revision ${rev} not found in ${redactUrl(spec.repo)}`, {
      resource: `git:${spec.name}`,
      hint: /^[0-9a-f]{4,39}$/i.test(rev) ? 'give a commit as its full 40-character sha' : 'give a branch, a tag or a full commit sha',
    });
  }
  return { sha: found.sha, fetch: found.ref };
}

export function planGit(spec: GitSpec, cur: GitState, ctx: PlanContext): Plan<GitSteps> {
  const id = `git:${spec.name}`;
  if (!cur.git) {
    if (!ctx.changed('pkg:git')) {
      throw new KeelError('E_MISSING_TOOL', 'git is not installed on the host: add `pkg: git` and require it', { resource: id });
    }
    // git comes in this run: the engine re-probes this resource before applying it.
    return { action: 'create', changes: [{ field: 'revision', from: null, to: spec.rev ?? 'HEAD' }] };
  }
  if (cur.checkout === 'other') {
    throw new KeelError('E_CONFLICT', `${spec.name} exists and is not a git checkout (nor an empty directory)`, {
      resource: id,
      hint: 'remove it first, or choose another path',
    });
  }
  const { sha, fetch } = targetCommit(spec, cur);
  if (cur.checkout !== 'repo') {
    return {
      action: 'create',
      changes: [{ field: 'revision', from: null, to: sha }],
      steps: { op: 'clone', sha, fetch, setUrl: false, checkout: true },
    };
  }
  const changes: Change[] = [];
  const setUrl = cur.origin !== spec.repo;
  if (setUrl) changes.push({ field: 'repo', from: cur.origin ? redactUrl(cur.origin) : null, to: redactUrl(spec.repo) });
  const move = cur.head !== sha;
  if (move && cur.dirty && !spec.force) {
    throw new KeelError('E_DIRTY', `${spec.name} has local changes to tracked files; keel will not discard them`, {
      resource: id,
      hint: 'commit or revert them on the host, or set `force: true` to discard them',
    });
  }
  if (move) changes.push({ field: 'revision', from: cur.head || null, to: sha });
  const discard = Boolean(cur.dirty && spec.force);
  if (discard) changes.push({ field: 'local_changes', from: 'present', to: 'discarded' });
  if (changes.length === 0) return { action: 'none', changes: [] };
  return { action: 'update', changes, steps: { op: 'update', sha, fetch, setUrl, checkout: move || discard } };
}

/** Pure: the script that clones or updates the checkout, run as the user. */
export function gitApplyScript(spec: GitSpec, steps: GitSteps): string {
  const force = steps.op === 'clone' || spec.force ? ['--force'] : [];
  const lines = ['set -e', GIT_ENV, 'cd /'];
  const git = `git${credentialOptions(spec.credentials)}`;
  if (steps.op === 'clone') lines.push(`${git} ${shargs('clone', '--quiet', '--no-checkout', '--', spec.repo, spec.name)}`);
  lines.push(shargs('cd', spec.name));
  if (steps.setUrl) lines.push(`${shargs('git', 'remote', 'set-url', 'origin', spec.repo)} 2>/dev/null || ${shargs('git', 'remote', 'add', 'origin', spec.repo)}`);
  if (steps.checkout) {
    if (steps.op === 'update') lines.push(`${git} fetch --quiet --tags origin`);
    lines.push(`${shargs('git', 'cat-file', '-e', `${steps.sha}^{commit}`)} 2>/dev/null || ${git} ${shargs('fetch', '--quiet', 'origin', steps.fetch)}`);
    lines.push(shargs('git', 'checkout', '--quiet', ...force, '--detach', steps.sha));
  }
  const script = asUser(spec.user, lines.join('\n'));
  // the values come on stdin (see apply): su passes the environment on to the user's shell
  return spec.credentials ? [...credentialReader(), script].join('\n') : script;
}

export const gitModule: ResourceModule<GitSpec, GitState, GitSteps> = {
  kind: 'git',
  doc,
  schema: {
    type: 'object',
    properties: {
      repo: { type: 'string', minLength: 1, pattern: '^[^-\\s]\\S*$', description: 'Repository URL or path (the remote "origin").' },
      rev: {
        type: 'string',
        minLength: 1,
        pattern: '^[^-\\s]\\S*$',
        default: 'HEAD',
        description: "Branch, tag, full ref name or full commit sha. Default: the remote's default branch (HEAD).",
      },
      user: { type: 'string', pattern: '^[a-z_][a-z0-9_-]{0,30}\\$?$', description: 'Owner of the checkout: git runs as this user (su).' },
      force: { type: 'boolean', default: false, description: 'Discard local changes to tracked files instead of refusing to update.' },
    },
    required: ['repo'],
    additionalProperties: false,
  },

  autoRequires(spec) {
    const ids = parentDirs(spec.name).map((d) => `directory:${d}`);
    if (spec.user !== undefined) ids.push(`user:${spec.user}`);
    ids.push('pkg:git');
    return ids;
  },

  prepare(spec) {
    assertAbsolutePath('git', spec.name);
    const { url, credentials } = splitRepoUrl(spec.repo, `git ${spec.name}`);
    return credentials ? { ...spec, repo: url, credentials } : spec;
  },

  probe: (spec) => gitProbe(spec.name, spec.repo, spec.rev ?? 'HEAD', spec.user, spec.credentials),
  parse: (spec, out) => parseGitProbe(spec.name, out),
  plan: (spec, cur, _facts, ctx) => planGit(spec, cur, ctx),

  async apply(ctx, plan, spec) {
    if (!plan.steps) throw new KeelError('E_APPLY', `git ${spec.name}: nothing to apply (was git installed after the plan?)`);
    const script = gitApplyScript(spec, plan.steps);
    // on stdin, not in the script: scripts are logged at debug and shown in errors
    await ctx.run(script, spec.credentials ? { stdin: credentialStdin(spec.credentials) } : {});
  },
};
