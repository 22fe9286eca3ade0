/**
 * How a command (or one of its checks) reaches the host's shell without its secrets showing in
 * argv: the cd, the env exports and the script text travel in a here-document on fd 3 (a pipe
 * the calling shell feeds), and the process that reads it has a fixed command line. `ps` on the
 * host shows `/bin/sh -c keel_s=$(cat <&3) ...`, never an env value or the script.
 */
import { ConfigError } from '../../src/errors.js';
import { hereDoc, shq } from '../../src/shell.js';
import type { CommandSpec } from './command.js';

// eval in a fresh sh: the script gets what `sh -c` gave it (its own exit, its own options), and
// fd 3 is closed before it runs so nothing it starts inherits the pipe.
const READER = shq('keel_s=$(cat <&3) && exec 3<&- && eval "$keel_s"');

/**
 * A command line that runs `script` with the spec's cwd, env and user, stdin closed. `tail` goes
 * on the same line (redirections, `; then ...`): the here-document's body follows that line.
 */
export function wrapScript(spec: CommandSpec, script: string, tail = ''): string {
  const body: string[] = [];
  if (spec.cwd !== undefined) body.push(`cd ${shq(spec.cwd)} || exit 1`);
  for (const [k, v] of Object.entries(spec.env ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new ConfigError(`command ${spec.name}: invalid env name "${k}"`);
    body.push(`export ${k}=${shq(String(v))}`);
  }
  body.push(script);
  const doc = hereDoc(body.join('\n'));
  // su keeps the environment it was given but the shell it starts reads the same fd 3
  const shell = spec.user !== undefined ? `su -s /bin/sh -c ${READER} ${shq(spec.user)}` : `/bin/sh -c ${READER}`;
  return `${shell} </dev/null 3${doc.redirect}${tail}\n${doc.body}`;
}
