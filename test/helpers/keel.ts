/** Run the real keel CLI (from source, through tsx) the way a user would. */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const REPO = join(import.meta.dirname, '..', '..');
const MAIN = join(REPO, 'src', 'cli', 'main.ts');
// tsx resolved from the repository, so tests can run keel from any working directory
const TSX = pathToFileURL(createRequire(join(REPO, 'package.json')).resolve('tsx')).href;

export interface KeelResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function keel(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<KeelResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', TSX, MAIN, ...args],
      { cwd: opts.cwd ?? REPO, env: { ...process.env, NO_COLOR: '1', ...opts.env }, timeout: opts.timeoutMs ?? 600_000, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout: stdout.toString(), stderr: stderr.toString() });
      },
    );
  });
}

/** keel ... --json, parsed. */
export async function keelJson(args: string[], opts: Parameters<typeof keel>[1] = {}) {
  const res = await keel([...args, '--json'], opts);
  let report: any;
  try {
    report = JSON.parse(res.stdout);
  } catch {
    throw new Error(`keel ${args.join(' ')} printed no JSON (exit ${res.code}):\n${res.stdout}\n${res.stderr}`);
  }
  return { ...res, report };
}

/** The shell command line that runs keel with `args` (for a wrapper such as `script`), each word quoted. */
export function keelCommandLine(args: string[]): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return [process.execPath, '--import', TSX, MAIN, ...args].map(q).join(' ');
}
