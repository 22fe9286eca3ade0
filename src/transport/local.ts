/**
 * The local transport: runs scripts with /bin/sh on the controller itself. Same contract as SSH,
 * so `connection: local` hosts (and the demo) go through exactly the engine code a remote host does.
 */
import { spawn } from 'node:child_process';
import { TransportError } from '../errors.js';
import { shq } from '../shell.js';
import type { ExecOptions, ExecResult, HeldScript, HoldOptions, PutOptions, Transport } from './types.js';
import { putScript } from './put-script.js';

export class LocalTransport implements Transport {
  readonly host: string;
  private readonly becomeUser: string;
  private readonly isRoot = process.getuid?.() === 0;

  constructor(host: string, becomeUser = 'root') {
    this.host = host;
    this.becomeUser = becomeUser;
  }

  exec(script: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const argv = this.argv(script, opts.sudo === true);
    return new Promise((resolve, reject) => {
      // its own process group: a timeout kills the whole script (not just sh, whose children
      // would keep the pipes open), and Ctrl-C on keel does not kill the step in flight
      const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let timedOut = false;
      const timer = opts.timeoutMs
        ? setTimeout(() => {
            timedOut = true;
            try {
              process.kill(-child.pid!, 'SIGKILL');
            } catch {
              child.kill('SIGKILL');
            }
          }, opts.timeoutMs)
        : undefined;
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(new TransportError(`cannot run sh locally: ${e.message}`, { host: this.host, cause: e }));
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        if (timedOut) {
          reject(new TransportError(`command timed out after ${opts.timeoutMs} ms`, { host: this.host }));
          return;
        }
        resolve({ code: code ?? 255, stdout: Buffer.concat(out), stderr: Buffer.concat(err) });
      });
      child.stdin.on('error', () => undefined); // the script may exit before reading its stdin
      child.stdin.end(opts.stdin ?? '');
    });
  }

  /** sudo when keel is not root; runuser when it is root and become_user is someone else. */
  private argv(script: string, sudo: boolean): string[] {
    if (!sudo) return ['sh', '-c', script];
    if (!this.isRoot) return ['sudo', '-n', '-H', '-u', this.becomeUser, '--', 'sh', '-c', script];
    if (this.becomeUser !== 'root') return ['runuser', '-u', this.becomeUser, '--', 'sh', '-c', script];
    return ['sh', '-c', script];
  }

  async put(path: string, content: string | Buffer, opts: PutOptions = {}): Promise<void> {
    const bytes = typeof content === 'string' ? Buffer.from(content) : content;
    const res = await this.exec(putScript(path, bytes.length, opts), { stdin: bytes, sudo: opts.sudo });
    if (res.code !== 0) {
      throw new TransportError(`cannot write ${path}: ${res.stderr.toString().trim()}`, { host: this.host });
    }
  }

  hold(script: string, opts: HoldOptions): HeldScript {
    const argv = this.argv(script, opts.sudo === true);
    // its own process group, so Ctrl-C on keel does not end it; its stdin is a pipe from keel,
    // so keel's death (even SIGKILL) gives it EOF
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const err: Buffer[] = [];
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.stdin.on('error', () => undefined);
    child.stdin.write(opts.stdin);
    const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => {
      child.on('error', (e) => resolve({ code: null, stderr: `cannot run sh locally: ${e.message}` }));
      child.on('close', (code) => resolve({ code, stderr: Buffer.concat(err).toString('utf8') }));
    });
    return { onStdout: (l) => void child.stdout.on('data', l), exited, end: () => void child.stdin.end() };
  }

  async close(): Promise<void> {}
}

export { shq };
