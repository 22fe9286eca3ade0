/** keel init [DIR]: a project to start from (src/init/scaffold.ts); never overwrites a file. */
import { lstatSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { UsageError } from '../errors.js';
import { scaffold } from '../init/scaffold.js';

export function initCommand(dir = '.'): void {
  const files = Object.entries(scaffold()).map(([rel, text]) => ({ path: join(dir, rel), rel, text }));
  const there = files.filter((f) => exists(f.path));
  if (there.length) {
    throw new UsageError(`keel init: ${there.map((f) => f.path).join(', ')} already exist${there.length === 1 ? 's' : ''}; nothing written`, {
      hint: 'run it in an empty folder (keel init DIR makes one)',
    });
  }
  for (const f of files) {
    mkdirSync(dirname(f.path), { recursive: true });
    writeFileSync(f.path, f.text, { flag: 'wx' });
  }
  const next = [
    ...(relative('.', dir) ? [`cd ${relative('.', dir)}`] : []),
    'keel validate         # checks it all, touches nothing',
    'sudo keel lab up 1    # a throwaway Debian host, lab1 (Linux, root)',
    'keel plan --out plan.keel   # what would change on lab1, saved for review',
    'keel show plan.keel         # the saved plan again (whoever reviews it)',
    'keel converge plan.keel     # make it so, exactly as planned',
  ];
  process.stdout.write(`${files.map((f) => `created ${join(dir, f.rel)}`).join('\n')}\n\nnext:\n${next.map((l) => `  ${l}\n`).join('')}`);
}

/** Anything at the path, a dangling symbolic link included (existsSync says no to that). */
function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
