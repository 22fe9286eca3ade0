/** The git module's read-only probe (local checkout state + the remote's revision) and its parser. */
import { KeelError } from '../../src/errors.js';
import type { ProbeOutput } from '../../src/module.js';
import { shargs, shq } from '../../src/shell.js';
import { credentialExports, credentialOptions, redactOrigin, type GitCredentials } from './git-credentials.js';

export interface RemoteRef {
  sha: string;
  ref: string;
}

export interface GitState {
  git: boolean;
  /** repo: a git checkout; empty-dir: an empty directory (clone works there); other: anything else. */
  checkout: 'absent' | 'empty-dir' | 'other' | 'repo';
  /** Commit checked out ('' in a repository with no commit). */
  head?: string;
  /** URL of the remote "origin" ('' when there is none). */
  origin?: string;
  /** Tracked files have local changes (untracked files are not counted). */
  dirty?: boolean;
  /** `git ls-remote` answer, when the wanted rev is not a full commit sha. */
  remote?: { refs: RemoteRef[] } | { error: string };
}

export const isFullSha = (rev: string): boolean => /^[0-9a-f]{40}$/i.test(rev);

/** A command line run as `user` (su, a non-login shell with the user's HOME), or as is. */
export function asUser(user: string | undefined, command: string): string {
  return user === undefined ? command : `su -s /bin/sh -c ${shq(command)} ${shq(user)}`;
}

/** No prompt can hang a run; optional locks off so that reading never writes the index. */
export const GIT_ENV = 'LC_ALL=C GIT_TERMINAL_PROMPT=0 GIT_OPTIONAL_LOCKS=0; export LC_ALL GIT_TERMINAL_PROMPT GIT_OPTIONAL_LOCKS';

export function gitProbe(path: string, repo: string, rev: string, user: string | undefined, creds?: GitCredentials): string {
  const lines = [
    GIT_ENV,
    'command -v git >/dev/null 2>&1 || { echo git=missing; exit 0; }',
    'echo git=ok',
    `p=${shq(path)}`,
    // Read as root whoever owns the checkout: safe.directory on the command line is trusted.
    `g() { git -c safe.directory='*' -C "$p" "$@"; }`,
    'if [ -e "$p/.git" ]; then',
    '  echo checkout=repo',
    `  printf 'head=%s\\n' "$(g rev-parse --verify -q HEAD)"`,
    `  printf 'origin=%s\\n' "$(g config --get remote.origin.url)"`,
    '  s=$(g status --porcelain --untracked-files=no) || exit $?',
    `  if [ -n "$s" ]; then echo dirty=1; else echo dirty=0; fi`,
    'elif [ -d "$p" ] && [ -z "$(ls -A "$p" | head -n 1)" ]; then echo checkout=empty-dir',
    'elif [ -e "$p" ] || [ -L "$p" ]; then echo checkout=other',
    'else echo checkout=absent; fi',
  ];
  if (!isFullSha(rev)) {
    // `rev^{}` too: an annotated tag's peeled commit is listed only when asked for by that name.
    const lsRemote = `cd / && ${GIT_ENV} && git${credentialOptions(creds)} ${shargs('ls-remote', '--', repo, rev, `${rev}^{}`)}`;
    const run = user === undefined ? lsRemote : `if id -u ${shq(user)} >/dev/null 2>&1; then ${asUser(user, lsRemote)}; else ${lsRemote}; fi`;
    lines.push(
      ...credentialExports(creds),
      'echo remote=',
      // ls-remote's refs go straight to stdout (fd 3); only its stderr is captured.
      `{ e=$( { ${run}; } 2>&1 >&3); r=$?; } 3>&1`,
      `[ "$r" -eq 0 ] || printf 'remote_error=%s\\n' "$(printf '%s' "$e" | base64 -w0)"`,
    );
  }
  return lines.join('\n');
}

export function parseGitProbe(path: string, out: Pick<ProbeOutput, 'code' | 'text' | 'stderr'>): GitState {
  const kv = new Map<string, string>();
  const refs: RemoteRef[] = [];
  for (const line of out.text.split('\n')) {
    const ref = /^([0-9a-f]{40})\t(\S+)$/.exec(line);
    if (ref) refs.push({ sha: ref[1], ref: ref[2] });
    else if (line.indexOf('=') > 0) kv.set(line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1));
  }
  const checkout = kv.get('checkout');
  if (out.code !== 0 || !kv.has('git') || (kv.get('git') === 'ok' && !checkout)) {
    const err = out.stderr.toString('utf8').trim();
    throw new KeelError('E_PROBE', `probe of git checkout ${path} failed (exit ${out.code})${err ? `: ${err}` : ''}`);
  }
  if (kv.get('git') === 'missing') return { git: false, checkout: 'absent' };
  const state: GitState = { git: true, checkout: checkout as GitState['checkout'] };
  if (state.checkout === 'repo') {
    state.head = kv.get('head') ?? '';
    // an origin set with credentials (by hand, or by an older keel) is never kept nor shown
    state.origin = redactOrigin(kv.get('origin') ?? '');
    state.dirty = kv.get('dirty') === '1';
  }
  if (kv.has('remote_error')) state.remote = { error: Buffer.from(kv.get('remote_error')!, 'base64').toString('utf8').trim() };
  else if (kv.has('remote')) state.remote = { refs };
  return state;
}

/**
 * The commit a rev names on the remote: HEAD, a branch before a tag (an annotated tag's peeled
 * commit), then a full ref name. Undefined when the remote has no such ref.
 */
export function resolveRev(rev: string, refs: RemoteRef[]): RemoteRef | undefined {
  const byRef = new Map(refs.map((r) => [r.ref, r]));
  const tag = byRef.get(`refs/tags/${rev}`);
  const peeled = byRef.get(`refs/tags/${rev}^{}`);
  return (
    (rev === 'HEAD' ? byRef.get('HEAD') : undefined) ??
    byRef.get(`refs/heads/${rev}`) ??
    (peeled ? { sha: peeled.sha, ref: `refs/tags/${rev}` } : tag) ??
    byRef.get(rev)
  );
}
