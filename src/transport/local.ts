/**
 * The local transport: runs scripts with /bin/sh on the controller itself. Same contract as SSH,
 * so `connection: local` hosts (and the demo) go through exactly the engine code a remote host does.
 */
import { spawn } from 'node:child_process';
import { TransportError } from '../errors.js';
import { shq } from '../shell.js';
import type { ExecOptions, ExecResult, PutOptions, Transport } from './types.js';
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
    const argv =
      opts.sudo && !this.isRoot
        ? ['sudo', '-n', '-H', '-u', this.becomeUser, '--', 'sh', '-c', script]
        : ['sh', '-c', script];
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let timedOut = false;
      const timer = opts.timeoutMs
        ? setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
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

  async put(path: string, content: string | Buffer, opts: PutOptions = {}): Promise<void> {
    const res = await this.exec(putScript(path, opts), { stdin: content, sudo: opts.sudo });
    if (res.code !== 0) {
      throw new TransportError(`cannot write ${path}: ${res.stderr.toString().trim()}`, { host: this.host });
    }
  }

  async close(): Promise<void> {}
}

export { shq };
