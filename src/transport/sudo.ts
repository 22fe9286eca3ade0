/**
 * The remote command line for one exec: `sh -c <wrapper> keel <script>`, optionally under sudo.
 *
 * The wrapper first reports its pid on stderr (one tagged line, removed before the caller sees
 * stderr), then runs the script in the background and waits for it; a TERM sent to that pid (by
 * a second channel, on timeout) ends the script's whole process group instead of orphaning it:
 * TERM first, KILL after KILL_GRACE_SECONDS.
 * sshd cannot be asked to signal it: OpenSSH refuses "signal" requests on root sessions.
 * If the channel is closed before the pid line is written, that write dies of SIGPIPE and the
 * script never starts.
 *
 * Under sudo with a password, stdin starts with `password\n<marker>\n`. sudo -S reads exactly one
 * line; if it needed no password (NOPASSWD, a cached ticket) the wrapper skips the password line
 * itself by reading up to the marker. Either way the script sees only the caller's stdin, and the
 * password never appears in argv, logs or errors.
 */
import { randomBytes } from 'node:crypto';
import { TransportError } from '../errors.js';
import { shq } from '../shell.js';

export interface Become {
  user: string;
  /** The sudo password itself (not its env var name); undefined means `sudo -n`. */
  password?: string;
}

export interface RemoteCommand {
  command: string;
  /** Bytes written to the channel before the caller's stdin. */
  stdinPrefix: Buffer;
  /** Start of the stderr line that carries the wrapper's pid: `${pidTag} <pid>\n`. */
  pidTag: string;
}

// On TERM (a timeout's kill, or the host shutting down) the group gets TERM first, so that
// scripts' own traps run (a put removes its temp file); KILL follows after a grace period for
// whatever ignores TERM.
export const KILL_GRACE_SECONDS = 5;
const RUN_AND_WAIT = [
  `trap 'trap "" TERM HUP INT; kill -TERM 0 2>/dev/null; (sleep ${KILL_GRACE_SECONDS}; kill -KILL 0) </dev/null >/dev/null 2>&1 & wait "$keel_c"; exit 143' TERM HUP INT`,
  `printf '%s %s\\n' "$2" "$$" >&2`,
  'exec 3<&0',
  'sh -c "$1" sh 0<&3 3<&- &',
  'keel_c=$!',
  'wait "$keel_c"',
].join('\n');
const SKIP_TO_MARKER = 'while IFS= read -r keel_l; do [ "$keel_l" = "$3" ] && break; done';

const nonce = () => randomBytes(12).toString('hex');

export function remoteCommand(script: string, become?: Become): RemoteCommand {
  const pidTag = `keel-pid-${nonce()}`;
  const none = Buffer.alloc(0);
  if (!become) {
    return { command: `sh -c ${shq(RUN_AND_WAIT)} keel ${shq(script)} ${pidTag}`, stdinPrefix: none, pidTag };
  }
  const user = shq(become.user);
  if (become.password === undefined) {
    const inner = `sh -c ${shq(RUN_AND_WAIT)} keel ${shq(script)} ${pidTag}`;
    return { command: `sudo -n -H -u ${user} -- ${inner}`, stdinPrefix: none, pidTag };
  }
  if (/[\n\r]/.test(become.password)) {
    throw new TransportError('the sudo password contains a line break, which sudo -S cannot read');
  }
  const marker = `keel-stdin-${nonce()}`;
  const wrapper = `${SKIP_TO_MARKER}\n${RUN_AND_WAIT}`;
  return {
    command: `sudo -S -p '' -H -u ${user} -- sh -c ${shq(wrapper)} keel ${shq(script)} ${pidTag} ${marker}`,
    stdinPrefix: Buffer.from(`${become.password}\n${marker}\n`),
    pidTag,
  };
}

/** Find and remove the wrapper's pid line from stderr. */
export function takePid(stderr: Buffer, pidTag: string): { pid?: number; stderr: Buffer } {
  const at = stderr.indexOf(`${pidTag} `);
  if (at < 0) return { stderr };
  const end = stderr.indexOf(0x0a, at);
  if (end < 0) return { stderr };
  const pid = Number(stderr.subarray(at + pidTag.length + 1, end).toString('latin1'));
  return { pid, stderr: Buffer.concat([stderr.subarray(0, at), stderr.subarray(end + 1)]) };
}

/**
 * A failure of sudo itself (not of the script), recognised from its exit code and stderr.
 * Only called for become runs; sudo exits 1 for all of these.
 */
export function sudoFailure(
  code: number,
  stderr: Buffer,
  become: Become,
  passwordEnv: string | undefined,
  host: string,
): TransportError | undefined {
  const text = stderr.toString('utf8');
  if (code === 127 && /sudo: (command )?not found/.test(text)) {
    return new TransportError('sudo is not installed on the host', {
      host,
      hint: 'install sudo there, or connect as the become user',
    });
  }
  if (code !== 1) return undefined;
  if (/^sudo: (a password is required|a terminal is required)/m.test(text)) {
    return new TransportError('sudo needs a password: set become_password_env', {
      host,
      hint: 'name an environment variable holding the sudo password in become_password_env, or allow NOPASSWD in sudoers',
    });
  }
  if (/Sorry, try again|incorrect password attempt/.test(text)) {
    return new TransportError(`sudo rejected the password${passwordEnv ? ` from $${passwordEnv}` : ''}`, {
      host,
      hint: `check the value of ${passwordEnv ?? 'become_password_env'}`,
    });
  }
  if (/is not in the sudoers file|is not allowed to (run|execute)|may not run sudo/.test(text)) {
    return new TransportError(`the login user may not run commands as ${become.user} through sudo`, {
      host,
      hint: 'add a sudoers rule for the login user on the host',
    });
  }
  return undefined;
}
