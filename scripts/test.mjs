#!/usr/bin/env node
// `npm test` after the typecheck: vitest's two projects at once, in two processes. Vitest runs a
// project of one worker (the lab's files, one at a time: they share the lab's hosts) in a group
// of its own, after the others, so in one process the lab waited for every unit file; here the
// unit files run one at a time beside the lab's. Each line is prefixed with its project; the exit
// code is the first failure's. With arguments (`npm test -- FILE...`) it is plain `vitest run`.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const args = process.argv.slice(2);

function run(argv, prefix) {
  const child = spawn(process.execPath, [vitest, 'run', ...argv], { cwd: root, stdio: ['ignore', prefix ? 'pipe' : 'inherit', prefix ? 'pipe' : 'inherit'] });
  if (prefix) {
    for (const [from, to] of [[child.stdout, process.stdout], [child.stderr, process.stderr]]) {
      createInterface({ input: from }).on('line', (line) => to.write(`${prefix} ${line}\n`));
    }
  }
  return new Promise((resolve) => child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

const codes = args.length ? [await run(args)] : await Promise.all([run(['--project', 'unit', '--maxWorkers', '1'], '[unit]'), run(['--project', 'lab'], '[lab] ')]);
process.exitCode = codes.find((c) => c !== 0) ?? 0;
