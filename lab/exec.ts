/** Run a local command without a shell (execFile semantics), collecting its output. */
import { spawn } from 'node:child_process';
import { KeelError } from '../src/errors.js';

export interface RunOptions {
  /** Bytes fed to standard input. */
  input?: string | Buffer;
  /** Resolve with the result instead of throwing on a non-zero exit. */
  allowFail?: boolean;
  /** Kill the command (SIGKILL) after this many milliseconds. */
  timeoutMs?: number;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, opts.timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => undefined); // the command may exit before reading its input
    child.on('error', (cause) => {
      if (timer) clearTimeout(timer);
      reject(new KeelError('E_LAB', `cannot run ${cmd}: ${cause.message}`, { cause }));
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const result = {
        code: code ?? 128,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      };
      if (result.code === 0 || opts.allowFail) return resolve(result);
      const why = timedOut ? `timed out after ${opts.timeoutMs} ms` : signal ? `killed by ${signal}` : `exit ${result.code}`;
      const tail = result.stderr.trim().split('\n').slice(-8).join('\n');
      reject(new KeelError('E_LAB', `${cmd} ${args.join(' ')} failed (${why})${tail ? `: ${tail}` : ''}`));
    });
    child.stdin.end(opts.input ?? '');
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
