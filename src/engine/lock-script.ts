/**
 * The host side of the per-host run lock: a `flock` held by a script whose stdin is the
 * connection. It reads one line (who holds the lock) from stdin, takes the lock, writes that line
 * into the lock file, says `keel-lock acquired`, then reads stdin until EOF: the end of the run,
 * or a dropped connection or a dead controller. The kernel releases a flock when its holder
 * exits, so no crash leaves a stale lock.
 *
 * Root (a root login, or become) locks /run/keel/run.lock: /run is writable by root only, so no
 * one can plant a file or a symlink there. Another user locks /run/lock/keel-UID/run.lock, in a
 * 0700 directory of their own (the sticky /run/lock stops other users from replacing it).
 * The lock file is 0600.
 */
import { shq } from '../shell.js';

export const LOCK_TAG = 'keel-lock';

/** `dir` replaces the lock directory chosen by user (tests take a lock of their own with it). */
export function lockScript(timeoutSeconds: number, dir?: string): string {
  const wait = timeoutSeconds > 0 ? `flock -w ${shq(timeoutSeconds)} 9` : 'flock -n 9';
  return [
    `say() { printf '${LOCK_TAG} %s %s\\n' "$1" "$2"; }`,
    `holder() { head -c 2000 -- "$f" 2>/dev/null | head -n 1; }`,
    'command -v flock >/dev/null 2>&1 || { say error "flock is not installed (util-linux)"; exit 3; }',
    'umask 077',
    dir !== undefined
      ? `d=${shq(dir)}`
      : 'if [ "$(id -u)" = 0 ]; then d=/run/keel; else d=/run/lock/keel-$(id -u); [ -d /run/lock ] || d=${TMPDIR:-/tmp}/keel-$(id -u); fi',
    'mkdir -p -- "$d" 2>/dev/null',
    '[ -d "$d" ] && [ ! -L "$d" ] && [ -O "$d" ] || { say error "$d is not a directory of $(id -un)"; exit 3; }',
    'chmod 700 -- "$d"',
    'f=$d/run.lock',
    '[ ! -L "$f" ] || { say error "$f is a symlink"; exit 3; }',
    'exec 9>>"$f" || { say error "cannot open $f"; exit 3; }',
    'chmod 600 -- "$f"',
    'IFS= read -r me || exit 0',
    'if ! flock -n 9; then',
    '  say waiting "$(holder)"',
    `  ${wait} || { say timeout "$(holder)"; exit 75; }`,
    'fi',
    `printf '%s\\n' "$me" > "$f"`,
    'say acquired "$f"',
    'cat > /dev/null',
    ': > "$f"',
  ].join('\n');
}

export interface LockEvent {
  kind: 'waiting' | 'acquired' | 'timeout' | 'error';
  detail: string;
}

/** The lock script's event lines in `text` (complete lines only). */
export function parseLockEvents(text: string): LockEvent[] {
  const events: LockEvent[] = [];
  for (const line of text.split('\n').slice(0, -1)) {
    const m = new RegExp(`^${LOCK_TAG} (waiting|acquired|timeout|error) ?(.*)$`).exec(line);
    if (m) events.push({ kind: m[1] as LockEvent['kind'], detail: m[2] });
  }
  return events;
}
