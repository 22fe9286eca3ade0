/**
 * The host side of an atomic put (every transport uses it): stdin → a temp file beside the
 * target → check its size → chown, then chmod (chown clears setuid/setgid bits) → `mv -fT` onto
 * the target (-T: never into a directory that sits at the target's path). Any failure (including a connection dropped mid-transfer,
 * which shows up as a short file) removes the temp file and leaves the old target untouched.
 */
import { TransportError } from '../errors.js';
import { shq } from '../shell.js';
import type { PutOptions } from './types.js';

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
    `keel_t=$(mktemp "$(dirname -- ${target})/.keel-XXXXXX")`,
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
