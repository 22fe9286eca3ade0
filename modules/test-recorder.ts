/**
 * Test-only: a Transport that records what apply would send to a host instead of sending it, and
 * the engine's own ApplyContext over it (src/engine/context.ts), so a fixture's `commands` is the
 * complete list of what reaches the host, in order:
 *
 * - `"script"`: a ctx.run script without stdin (the engine sends it as `sh -s` with the script
 *   wrapped on stdin as `{\n<script>\n} </dev/null\n`; the recorder unwraps that one shape);
 * - `{ "run": script, "sudo": true, "timeoutMs": n }`: the same with options (become, a time limit);
 * - `{ "exec": script, "stdin": ... }`: any other exec (a ctx.run with stdin, a direct transport.exec);
 * - `{ "put": path, "mode", "owner", "group", "content" | "sha256" + "size" }`: a file upload,
 *   short UTF-8 text shown as is, anything else by hash and size;
 * - `{ "once": key }` (`"skipped": true` when an earlier call of the key already ran).
 */
import { createHash } from 'node:crypto';
import { pino } from 'pino';
import type { ApplyContext } from '../src/module.js';
import type { Facts } from '../src/facts/types.js';
import { makeApplyContext } from '../src/engine/context.js';
import type { ExecOptions, ExecResult, PutOptions, Transport } from '../src/transport/types.js';

export type Recorded = string | Record<string, unknown>;

/** Content up to this many bytes of UTF-8 text (no NUL) is recorded as is. */
const SHORT = 512;

function bytes(content: string | Buffer): Record<string, unknown> {
  const buf = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
  const text = buf.toString('utf8');
  if (buf.length <= SHORT && !text.includes('\0') && Buffer.from(text, 'utf8').equals(buf)) return { content: text };
  return { sha256: createHash('sha256').update(buf).digest('hex'), size: buf.length };
}

const WRAPPED = /^\{\n([\s\S]*)\n\} <\/dev\/null\n$/;

/** Answers a script (as ctx.run got it) with its stdout, or an Error the exec rejects with. */
export type Reply = (script: string) => string | Error;

export class RecordingTransport implements Transport {
  readonly host = 'test';
  /** Everything sent, in order (see the file's doc). */
  readonly commands: Recorded[] = [];
  /** The scripts alone, as ctx.run got them. */
  readonly scripts: string[] = [];

  constructor(private readonly reply: Reply = () => '') {}

  async exec(script: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const stdin = opts.stdin === undefined ? undefined : Buffer.isBuffer(opts.stdin) ? opts.stdin : Buffer.from(opts.stdin, 'utf8');
    const wrapped = script === 'sh -s' && stdin ? WRAPPED.exec(stdin.toString('utf8')) : null;
    const body = wrapped ? wrapped[1] : script;
    const extra: Record<string, unknown> = {};
    if (opts.sudo) extra.sudo = true;
    if (opts.timeoutMs !== undefined) extra.timeoutMs = opts.timeoutMs;
    if (wrapped) this.commands.push(Object.keys(extra).length ? { run: body, ...extra } : body);
    else this.commands.push({ exec: script, ...(stdin ? { stdin: inline(stdin) } : {}), ...extra });
    this.scripts.push(body);
    const r = this.reply(body);
    if (r instanceof Error) throw r;
    return { code: 0, stdout: Buffer.from(r), stderr: Buffer.alloc(0) };
  }

  async put(path: string, content: string | Buffer, opts: PutOptions = {}): Promise<void> {
    const attrs = Object.fromEntries(Object.entries({ mode: opts.mode, owner: opts.owner, group: opts.group }).filter(([, v]) => v !== undefined));
    this.commands.push({ put: path, ...attrs, ...(opts.sudo ? { sudo: true } : {}), ...bytes(content) });
  }

  async close(): Promise<void> {}
}

/** Stdin as text when short, else its hash and size. */
function inline(stdin: Buffer): unknown {
  const b = bytes(stdin);
  return 'content' in b ? b.content : b;
}

export interface Recording {
  ctx: ApplyContext;
  transport: RecordingTransport;
  commands: Recorded[];
  scripts: string[];
  onceKeys: string[];
}

/** The engine's ApplyContext over a RecordingTransport, recording once() keys among the commands. */
export function recordingApplyContext(opts: { facts: Facts; sudo?: boolean; reply?: Reply }): Recording {
  const transport = new RecordingTransport(opts.reply);
  const base = makeApplyContext(transport, opts.facts, opts.sudo ?? false, pino({ level: 'silent' }), new Map(), 'test');
  const onceKeys: string[] = [];
  const seen = new Set<string>();
  const ctx: ApplyContext = {
    ...base,
    once: (key, fn) => {
      onceKeys.push(key);
      transport.commands.push(seen.has(key) ? { once: key, skipped: true } : { once: key });
      seen.add(key);
      return base.once(key, fn);
    },
  };
  return { ctx, transport, commands: transport.commands, scripts: transport.scripts, onceKeys };
}
