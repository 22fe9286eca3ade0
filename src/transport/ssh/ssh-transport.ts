/**
 * `Transport` over one ssh2 connection: every exec and put is a channel on it, at most
 * MAX_CHANNELS at once (sshd's MaxSessions defaults to 10), the rest queued.
 */
import pLimit from 'p-limit';
import type { Client, ClientChannel } from 'ssh2';
import type { Logger } from 'pino';
import { ConnectionLostError, TransportError } from '../../errors.js';
import { remoteCommand, sudoFailure, takePid, type Become } from '../sudo.js';
import type { ConnectionSpec, ExecOptions, ExecResult, HeldScript, HoldOptions, PutOptions, Transport } from '../types.js';
import { putScript } from '../put-script.js';

export const MAX_CHANNELS = 8;

const SIGNALS: Record<string, number> = { HUP: 1, INT: 2, QUIT: 3, ABRT: 6, KILL: 9, SEGV: 11, PIPE: 13, ALRM: 14, TERM: 15 };
const KILL_TIMEOUT_MS = 10_000;

export class SshTransport implements Transport {
  readonly host: string;
  private readonly limit = pLimit(MAX_CHANNELS);
  private readonly pending = new Set<(err: TransportError) => void>();
  private lost: ConnectionLostError | undefined;
  private closing = false;

  constructor(
    private readonly spec: ConnectionSpec,
    private readonly client: Client,
    private readonly jump: Transport | undefined,
    private readonly log?: Logger,
  ) {
    this.host = spec.host;
    const onLost = (why: string) => {
      if (this.lost) return;
      this.lost = new ConnectionLostError(
        this.closing ? 'the connection was closed' : `the SSH connection to ${spec.address}:${spec.port} was lost (${why})`,
        { host: spec.host, hint: 'check the host and the network, then run again' },
      );
      for (const reject of this.pending) reject(this.lost);
      this.pending.clear();
    };
    client.on('error', (e: Error) => {
      log?.debug({ host: spec.host, err: e.message }, 'ssh connection error');
      onLost(e.message);
    });
    client.on('close', () => onLost('closed'));
  }

  async exec(script: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const become = opts.sudo ? this.become() : undefined;
    const stdin = opts.stdin === undefined ? Buffer.alloc(0) : toBuffer(opts.stdin);
    return this.limit(async () => {
      const result = await this.run(script, become, stdin, opts.timeoutMs);
      const failure = become && sudoFailure(result.code, result.stderr, become, this.spec.becomePasswordEnv, this.host);
      if (failure) throw failure;
      return result;
    });
  }

  async put(path: string, content: string | Buffer, opts: PutOptions = {}): Promise<void> {
    const data = toBuffer(content);
    const result = await this.exec(putScript(path, data.length, opts), { stdin: data, sudo: opts.sudo });
    if (result.code !== 0) {
      const why = result.stderr.toString('utf8').trim().split('\n').slice(-5).join('\n');
      throw new TransportError(`cannot write ${path}: ${why || `exit ${result.code}`}`, {
        host: this.host,
        hint: opts.sudo ? undefined : 'if the file needs root, write it with sudo (become)',
      });
    }
  }

  /** A channel of its own, outside the channel limit: it stays open for the whole run. */
  hold(script: string, opts: HoldOptions): HeldScript {
    const become = opts.sudo ? this.become() : undefined;
    const { command, stdinPrefix, pidTag } = remoteCommand(script, become);
    const listeners: ((chunk: Buffer) => void)[] = [];
    let channel: ClientChannel | undefined;
    let ended = false;
    const exited = new Promise<{ code: number | null; stderr: string }>((settle) => {
      if (this.lost) return settle({ code: null, stderr: this.lost.message });
      const onLost = (e: TransportError) => resolve({ code: null, stderr: e.message });
      const resolve = (r: { code: number | null; stderr: string }) => {
        this.pending.delete(onLost);
        settle(r);
      };
      this.pending.add(onLost);
      this.client.exec(command, (err, ch) => {
        if (err) return resolve({ code: null, stderr: `SSH channel failed: ${err.message}` });
        channel = ch;
        let code: number | null = null;
        let errs: Buffer = Buffer.alloc(0);
        ch.on('data', (b: Buffer) => listeners.forEach((l) => l(b)));
        ch.stderr.on('data', (b: Buffer) => (errs = takePid(Buffer.concat([errs, b]), pidTag).stderr));
        ch.on('exit', (c: number | null) => (code = typeof c === 'number' ? c : null));
        ch.on('error', () => undefined); // the close that follows settles it
        ch.on('close', () => resolve({ code, stderr: errs.toString('utf8') }));
        ch.write(Buffer.concat([stdinPrefix, Buffer.from(opts.stdin)]));
        if (ended) ch.end();
      });
    });
    return {
      onStdout: (l) => void listeners.push(l),
      exited,
      end: () => {
        ended = true;
        channel?.end();
      },
    };
  }

  async close(): Promise<void> {
    this.closing = true;
    if (!this.lost) await endClient(this.client);
    await this.jump?.close();
  }

  /** The underlying ssh2 client, to tunnel another connection through this host (jump). */
  get sshClient(): Client {
    return this.client;
  }

  /** Who to become, and the password if one is configured; no sudo when already that user. */
  private become(): Become | undefined {
    const user = this.spec.becomeUser ?? 'root';
    if (user === this.spec.user) return undefined;
    const envName = this.spec.becomePasswordEnv;
    if (envName === undefined) return { user };
    const password = process.env[envName];
    if (password === undefined) {
      throw new TransportError(`become_password_env names $${envName}, which is not set`, {
        host: this.host,
        hint: `export ${envName} with the sudo password before running keel`,
      });
    }
    return { user, password };
  }

  /** One channel: the wrapped script, its stdin, the result; on timeout the remote side is killed. */
  private run(script: string, become: Become | undefined, stdin: Buffer, timeoutMs?: number): Promise<ExecResult> {
    const { command, stdinPrefix, pidTag } = remoteCommand(script, become);
    return new Promise<ExecResult>((resolve, reject) => {
      if (this.lost) return reject(this.lost);
      let channel: ClientChannel | undefined;
      let pid: number | undefined;
      let timer: NodeJS.Timeout | undefined;
      let done = false;
      const finish = (err: TransportError | undefined, result?: ExecResult) => {
        if (done) return;
        done = true;
        this.pending.delete(onLost);
        clearTimeout(timer);
        if (err) {
          // Without a pid the wrapper has not started the script; closing makes it die of SIGPIPE.
          if (pid !== undefined && !this.lost) this.kill(pid, become).finally(() => channel?.close());
          else channel?.close();
          reject(err);
        } else {
          resolve(result!);
        }
      };
      const onLost = (err: TransportError) => finish(err);
      this.pending.add(onLost);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          finish(
            new TransportError(`command timed out after ${timeoutMs} ms and was killed`, {
              host: this.host,
              hint: 'raise the timeout, or check what the command waits for',
            }),
          );
        }, timeoutMs);
      }
      const channelError = (e: Error) =>
        finish(new TransportError(`SSH channel failed: ${e.message}`, { host: this.host, cause: e }));
      try {
        this.client.exec(command, (err, ch) => {
          if (err) return channelError(err);
          channel = ch;
          if (done) return void ch.close(); // timed out or lost while opening
          const out: Buffer[] = [];
          let errs: Buffer = Buffer.alloc(0);
          let code: number | undefined;
          let signal: string | undefined;
          ch.on('data', (b: Buffer) => out.push(b));
          ch.stderr.on('data', (b: Buffer) => {
            errs = Buffer.concat([errs, b]);
            if (pid === undefined) ({ pid, stderr: errs } = takePid(errs, pidTag));
          });
          ch.on('exit', (c: number | null, s?: string) => {
            if (typeof c === 'number') code = c;
            else if (s) signal = s;
          });
          ch.on('error', channelError);
          ch.on('close', () => {
            if (code === undefined && signal === undefined) {
              return finish(
                this.lost ?? new ConnectionLostError('the SSH channel closed without an exit status', { host: this.host }),
              );
            }
            finish(undefined, { code: code ?? 128 + (SIGNALS[signal!] ?? 0), stdout: Buffer.concat(out), stderr: errs });
          });
          if (stdinPrefix.length > 0) ch.write(stdinPrefix);
          ch.end(stdin);
        });
      } catch (e) {
        channelError(e as Error);
      }
    });
  }

  /** TERM the wrapper (it then kills its process group), on a channel of its own. */
  private async kill(pid: number, become: Become | undefined): Promise<void> {
    try {
      await this.run(`kill -TERM ${pid} 2>/dev/null || true`, become, Buffer.alloc(0), KILL_TIMEOUT_MS);
    } catch (e) {
      this.log?.warn({ host: this.host, pid, err: (e as Error).message }, 'could not kill a timed-out command');
    }
  }
}

const toBuffer = (b: string | Buffer): Buffer => (typeof b === 'string' ? Buffer.from(b) : b);

function endClient(client: Client): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.destroy();
      resolve();
    }, 2000);
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    client.end();
  });
}
