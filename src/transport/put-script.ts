/**
 * The atomic write every transport uses: stdin goes into a temp file beside the target, which
 * gets its mode and owner and is then renamed over the target. If anything fails (or the
 * connection dies mid-transfer) the temp file is removed and the old target is untouched.
 */
import { shq } from '../shell.js';
import type { PutOptions } from './types.js';

export function putScript(path: string, opts: PutOptions = {}): string {
  const owner = opts.owner ? `${opts.owner}${opts.group ? `:${opts.group}` : ''}` : opts.group ? `:${opts.group}` : '';
  return [
    'set -e',
    `t=$(mktemp ${shq(`${dirOf(path)}/.keel-XXXXXX`)})`,
    `trap 'rm -f "$t"' EXIT`,
    'cat > "$t"',
    opts.mode ? `chmod ${shq(opts.mode)} "$t"` : `if [ -e ${shq(path)} ]; then chmod "$(stat -c %a ${shq(path)})" "$t"; else chmod 0644 "$t"; fi`,
    owner ? `chown ${shq(owner)} "$t"` : `if [ -e ${shq(path)} ]; then chown "$(stat -c %u:%g ${shq(path)})" "$t"; fi`,
    `mv -f "$t" ${shq(path)}`,
    'trap - EXIT',
  ].join('\n');
}

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  if (i < 0) return '.';
  if (i === 0) return '/';
  return path.slice(0, i);
}
