/**
 * Delete a directory tree without ever crossing into another filesystem: a lab tree may still
 * hold a mount (an overlay root, or /proc and /dev of an interrupted mmdebstrap), and a plain
 * recursive delete would walk into it. Mounts under the tree are unmounted (lazily) first.
 */
import { existsSync, readFileSync } from 'node:fs';
import { run } from './exec.js';

function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((p): p is string => p !== undefined && (p === dir || p.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length); // deepest first
}

export async function removeTree(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  for (const m of mountsUnder(dir)) await run('umount', ['-l', m], { allowFail: true });
  await run('rm', ['-rf', '--one-file-system', '--', dir]);
}
