/**
 * The host side of an atomic put (every transport uses it): stdin → a temp file beside the
 * target → check its size → chown, then chmod (chown clears setuid/setgid bits) → `mv -fT` onto
 * the target (-T: never into a directory that sits at the target's path). Any failure (including a connection dropped mid-transfer,
 * which shows up as a short file) removes the temp file and leaves the old target untouched.
 *
 * A put killed outright (SIGKILL, the OOM killer, a reboot that does not wait for the session)
 * cannot remove its temp file, so each put first removes the `.keel-tmp-XXXXXX` files that the
 * same user left in the target's directory. That is safe because puts only run under the host
 * run lock (remote-lock.ts), which is per user: no other put of this user runs at the same time.
 * `find "$keel_d/"` (the slash) enters the directory also when it is a symbolic link (a
 * release's `current/`); below it, `-type f -user` decides on lstat and `-delete` never follows
 * a link; the glob costs no process when nothing is left over.
 */
import { TransportError } from '../errors.js';
import { shq } from '../shell.js';
import type { PutOptions } from './types.js';

/** The name every put's temp file starts with (then six random characters). */
export const TEMP_PREFIX = '.keel-tmp-';

export function putScript(path: string, size: number, opts: PutOptions = {}): string {
  if (opts.mode !== undefined && !/^[0-7]{3,4}$/.test(opts.mode)) {
    throw new TransportError(`invalid mode ${JSON.stringify(opts.mode)} for ${path}`, {
      hint: 'give an octal string such as "0644"',
    });
  }
  const target = shq(path);
  // Without a mode, the file gets what a plain `cat > file` would give: 0666 less the umask.
  const mode = opts.mode ?? `"$(printf '%o' $(( 0666 & ~0$(umask) )))"`;
  const owner = opts.owner ?? '';
  const group = opts.group ?? '';
  const lines = [
    'set -e',
    `keel_d=$(dirname -- ${target})`,
    `for keel_s in "$keel_d"/${TEMP_PREFIX}??????; do`,
    `  if [ -e "$keel_s" ] || [ -L "$keel_s" ]; then find "$keel_d/" -maxdepth 1 -name '${TEMP_PREFIX}??????' -type f -user "$(id -u)" -delete 2>/dev/null || :; fi`,
    '  break',
    'done',
    `keel_t=$(mktemp "$keel_d/${TEMP_PREFIX}XXXXXX")`,
    `trap 'rm -f -- "$keel_t"' EXIT`,
    `trap 'exit 1' HUP INT TERM PIPE`,
    'cat > "$keel_t"',
    'keel_n=$(wc -c < "$keel_t")',
    `if [ "$keel_n" -ne ${size} ]; then echo "keel: short write to ${path.replace(/[^\w./-]/g, '?')}: $keel_n of ${size} bytes" >&2; exit 1; fi`,
  ];
  if (owner || group) lines.push(`chown ${shq(group ? `${owner}:${group}` : owner)} "$keel_t"`);
  lines.push(`chmod ${mode} "$keel_t"`, `mv -fT -- "$keel_t" ${target}`, `trap - EXIT`);
  return lines.join('\n');
}
