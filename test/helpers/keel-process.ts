/** The real keel CLI as a running process: its pid, its output as it comes, real signals. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO, type KeelResult } from './keel.js';

const TSX = pathToFileURL(createRequire(join(REPO, 'package.json')).resolve('tsx')).href;

export interface KeelProcess {
  child: ChildProcess;
  pid: number;
  /** Resolves once stderr (so far) matches, rejects if keel exits first. */
  stderrMatches(re: RegExp): Promise<void>;
  /** Exit code (128 + signal number when killed by a signal) and all output. */
  done: Promise<KeelResult & { signal: NodeJS.Signals | null }>;
}

/** `group`: keel leads a process group of its own, so a signal can go to the group as Ctrl-C's does; `env`: added to the environment. */
export function startKeel(args: string[], opts: { group?: boolean; env?: NodeJS.ProcessEnv } = {}): KeelProcess {
  const child = spawn(process.execPath, ['--import', TSX, join(REPO, 'src', 'cli', 'main.ts'), ...args], {
    cwd: REPO,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: opts.group === true,
  });
  let stdout = '';
  let stderr = '';
  const waiters: { re: RegExp; resolve(): void; reject(e: Error): void }[] = [];
  const check = () => {
    for (const w of waiters.splice(0)) (w.re.test(stderr) ? w.resolve : () => waiters.push(w))();
  };
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    check();
  });
  const done = new Promise<KeelResult & { signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      for (const w of waiters.splice(0)) w.reject(new Error(`keel exited (${code ?? signal}) before stderr matched ${w.re}:\n${stderr}\n${stdout}`));
      resolve({ code: code ?? 128, signal, stdout, stderr });
    });
  });
  return {
    child,
    pid: child.pid!,
    done,
    stderrMatches: (re) =>
      new Promise<void>((resolve, reject) => {
        if (child.exitCode !== null) return reject(new Error(`keel already exited before stderr matched ${re}:\n${stderr}`));
        waiters.push({ re, resolve, reject });
        check();
      }),
  };
}
