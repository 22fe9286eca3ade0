/**
 * Credentials in an http(s) repo URL (`https://user:token@host/x.git`) never reach the host's
 * argv, the checkout's .git/config, or keel's output: the host's git sees the URL without them,
 * and gets them from a credential helper that reads two environment variables. The helper's text
 * (in git's argv) holds no secret; the values travel in the probe script or on the apply
 * script's stdin, neither of which shows in `ps` or in keel's logs.
 */
import { ConfigError } from '../../src/errors.js';
import { shargs, shq } from '../../src/shell.js';

export interface GitCredentials {
  username: string;
  password: string;
}

const USER_VAR = 'KEEL_GIT_USERNAME';
const PASSWORD_VAR = 'KEEL_GIT_PASSWORD';

// The authority's last `@` ends the user info (as git reads it); the rest of the URL is kept byte
// for byte, so that a checkout's origin compares equal to what the user wrote minus credentials.
const WITH_USERINFO = /^(https?:\/\/)([^/?#]*)@([^/?#@]*(?:[/?#].*)?)$/is;

/** The URL without its user info, and the credentials it carried (undefined: it had none). */
export function splitRepoUrl(repo: string, where: string): { url: string; credentials?: GitCredentials } {
  const m = WITH_USERINFO.exec(repo);
  if (!m) {
    // ssh:// and the rest cannot take a password: it would only sit in argv and .git/config
    if (/^[a-z][a-z0-9+.-]*:\/\/[^/?#@]*:[^/?#@]*@/i.test(repo)) {
      throw new ConfigError(`${where}: repo has a password, which git can only use over http(s)`, {
        hint: 'give the user an SSH key (and keep only the user in the URL), or use an https URL',
      });
    }
    return { url: repo };
  }
  const colon = m[2].indexOf(':');
  const [user, password] = colon < 0 ? [m[2], ''] : [m[2].slice(0, colon), m[2].slice(colon + 1)];
  const decode = (s: string): string => {
    let v: string;
    try {
      v = decodeURIComponent(s);
    } catch {
      throw new ConfigError(`${where}: the credentials in repo are not valid percent-encoding`, {
        hint: 'percent-encode reserved characters in the user and password (e.g. @ as %40)',
      });
    }
    // git's credential protocol is line-based: a newline or NUL would end or forge a field
    if (/[\n\0]/.test(v)) throw new ConfigError(`${where}: the credentials in repo contain a newline or NUL`, { hint: 'git cannot pass such a value' });
    return v;
  };
  return { url: m[1] + m[3], credentials: { username: decode(user), password: decode(password) } };
}

/** Never show the user info of any URL in a message (an error from git, a URL in a change). */
export const redactUrl = (s: string): string => s.replace(/(\/\/)[^/?#\s]*@/g, '$1***@');

/**
 * A checkout's origin with an http(s) URL's user info redacted: it then differs from the clean
 * URL, so a checkout cloned with credentials is planned as a repo change. ssh users stay as is.
 */
export const redactOrigin = (origin: string): string => {
  const m = WITH_USERINFO.exec(origin);
  return m ? `${m[1]}***@${m[3]}` : origin;
};

/**
 * git options that replace every configured helper (so none stores the values) by one that
 * answers `get` from the environment. Empty without credentials: git behaves as before.
 */
export function credentialOptions(creds: GitCredentials | undefined): string {
  if (!creds) return '';
  const helper = `!f() { if [ "$1" = get ]; then printf 'username=%s\\npassword=%s\\n' "$${USER_VAR}" "$${PASSWORD_VAR}"; fi; }; f`;
  return ` ${shargs('-c', 'credential.helper=', '-c', `credential.helper=${helper}`)}`;
}

/** Probe-script lines that set the variables (the probe script travels on stdin, never logged). */
export function credentialExports(creds: GitCredentials | undefined): string[] {
  if (!creds) return [];
  return [`${USER_VAR}=${shq(creds.username)} ${PASSWORD_VAR}=${shq(creds.password)}`, `export ${USER_VAR} ${PASSWORD_VAR}`];
}

/** The apply script's stdin: one value a line, read by credentialReader(). */
export const credentialStdin = (creds: GitCredentials): string => `${creds.username}\n${creds.password}\n`;

/** Apply-script lines that read the values from stdin, then give the script no stdin at all. */
export function credentialReader(): string[] {
  return [`IFS= read -r ${USER_VAR} && IFS= read -r ${PASSWORD_VAR} || exit 1`, `export ${USER_VAR} ${PASSWORD_VAR}`, 'exec </dev/null'];
}
