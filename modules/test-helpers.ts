/**
 * Test-only helpers for modules: fixture runner, a real local shell for probes, and a minimal
 * local transport for apply. Not the engine's local transport (src/transport/local.ts).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { pino } from 'pino';
import { expect } from 'vitest';
import { CommandError } from '../src/errors.js';
import type { Facts } from '../src/facts/types.js';
import { buildProbeScript, parseProbeOutput } from '../src/engine/probe-script.js';
import { planProbes } from '../src/engine/shared-probe.js';
import { refreshActionOf, type ApplyContext, type PlanContext, type Probe, type ProbeOutput, type ResourceModule, type Plan } from '../src/module.js';
import { shargs } from '../src/shell.js';
import type { ExecOptions, ExecResult, PutOptions, Transport } from '../src/transport/types.js';

export const testFacts: Facts = {
  hostname: 'test',
  fqdn: 'test.example.com',
  osId: 'debian',
  osFamily: 'debian',
  osVersion: '12',
  osCodename: 'bookworm',
  arch: 'x86_64',
  kernel: '6.1.0',
  cpus: 2,
  memoryMb: 2048,
  addresses: ['192.0.2.10'],
  init: 'systemd',
  pkgManager: 'apt',
  user: 'root',
  uid: 0,
};

export function probeOutput(stdout: string, code = 0, stderr = ''): ProbeOutput {
  return { code, stdout: Buffer.from(stdout), stderr: Buffer.from(stderr), text: stdout };
}

export function planContext(changed: Record<string, boolean | 'maybe'> = {}): PlanContext {
  return { changed: (id) => changed[id] ?? false };
}

export function sh(script: string, opts: { stdin?: string | Buffer } = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', script], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out), stderr: Buffer.concat(err) }));
    child.stdin.on('error', () => {}); // the script may exit without reading its input
    child.stdin.end(opts.stdin);
  });
}

/** Run probes on this machine the way the engine does: one script under /bin/sh, shared probes batched. */
export async function runProbes(probes: Probe[]): Promise<ProbeOutput[]> {
  const { script, outputs } = probeScript(probes);
  return outputs((await sh(script)).stdout);
}

/** The engine's probe script of `probes`, and how to read its stdout back (to run it another way). */
export function probeScript(probes: Probe[]): { script: string; outputs(stdout: Buffer): ProbeOutput[] } {
  const { snippets, assemble } = planProbes(probes);
  const { script, marker } = buildProbeScript(snippets);
  return { script, outputs: (stdout) => assemble(parseProbeOutput(stdout, marker, snippets.length)) };
}

export async function runProbe(probe: Probe): Promise<ProbeOutput> {
  return (await runProbes([probe]))[0];
}

export class TestLocalTransport implements Transport {
  readonly host = 'localhost';
  exec(script: string, opts: ExecOptions = {}): Promise<ExecResult> {
    return sh(script, opts);
  }
  async put(path: string, content: string | Buffer, opts: PutOptions = {}): Promise<void> {
    const tmp = join(dirname(path), `.${basename(path)}.keel-${randomBytes(4).toString('hex')}`);
    await writeFile(tmp, content, { mode: 0o600 });
    try {
      const cmds = [shargs('chmod', opts.mode ?? '0644', tmp)];
      if (opts.owner || opts.group) cmds.push(shargs('chown', `${opts.owner ?? ''}${opts.group ? `:${opts.group}` : ''}`, tmp));
      const r = await sh(cmds.join(' && '));
      if (r.code !== 0) throw new CommandError(cmds.join(' && '), r.code, r.stderr.toString());
      await rename(tmp, path);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }
  async close(): Promise<void> {}
}

export function applyContext(transport: Transport = new TestLocalTransport()): ApplyContext {
  return {
    host: transport.host,
    transport,
    facts: testFacts,
    log: pino({ level: 'silent' }),
    sudo: false,
    async run(script, opts) {
      const r = await transport.exec(script, opts);
      if (r.code !== 0) throw new CommandError(script, r.code, r.stderr.toString('utf8'));
      return r.stdout.toString('utf8');
    },
    once: async (_key, fn) => fn(),
  };
}

/**
 * Records the scripts apply sends instead of running them, answering each from `reply` (by exact
 * script): unit tests of the exact command sequences of modules whose real behaviour needs
 * systemd or apt (lab tests run them for real).
 */
export function recordingContext(reply: (script: string) => string | Error = () => '') {
  const scripts: string[] = [];
  const onceKeys: string[] = [];
  const done = new Set<string>();
  const ctx: ApplyContext = {
    host: 'test',
    transport: new TestLocalTransport(),
    facts: testFacts,
    log: pino({ level: 'silent' }),
    sudo: false,
    run: async (script) => {
      scripts.push(script);
      const r = reply(script);
      if (r instanceof Error) throw r;
      return r;
    },
    once: async (key, fn) => {
      onceKeys.push(key);
      if (done.has(key)) return;
      done.add(key);
      await fn();
    },
  };
  return { ctx, scripts, onceKeys };
}

/** Probe on this machine, parse, plan: what `keel plan` would say. */
export async function planLive<S extends { name: string }, St>(
  m: ResourceModule<S, any, St>,
  spec: S,
  changed: Record<string, boolean | 'maybe'> = {},
): Promise<Plan<St>> {
  const out = await runProbe(m.probe(spec));
  return m.plan(spec, m.parse(spec, out, testFacts), testFacts, planContext(changed));
}

export interface Fixture {
  spec: Record<string, unknown> & { name: string };
  probe: { code: number; stdout: string; stderr?: string };
  facts?: Partial<Facts>;
  /** PlanContext.changed answers, for onchanges. */
  changed?: Record<string, boolean | 'maybe'>;
  expected: {
    action?: string;
    changes?: unknown[];
    diff?: string;
    verifiable?: boolean;
    /** A substring of the error plan must throw. */
    error?: string;
    /** The scripts apply runs for this plan, in order (each answered with empty output). */
    commands?: string[];
    /** refreshActionOf(module, spec, plan): a verb, false (would do nothing now), null (no refresh). */
    refresh?: string | false | null;
    /** The scripts refresh runs (systemctl is-active answered "active"). */
    refreshCommands?: string[];
  };
}

/** pyinfra style: parse + plan over every `fixtures/*.json`, no host needed. */
export function loadFixtures(dir: string): [string, Fixture][] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [f, JSON.parse(readFileSync(join(dir, f), 'utf8')) as Fixture]);
}

export async function checkFixture(m: ResourceModule, fx: Fixture): Promise<void> {
  const facts = { ...testFacts, ...fx.facts };
  const run = (): Plan => {
    const current = m.parse(fx.spec, probeOutput(fx.probe.stdout, fx.probe.code, fx.probe.stderr), facts);
    return m.plan(fx.spec, current, facts, planContext(fx.changed));
  };
  if (fx.expected.error !== undefined) {
    expect(run).toThrow(fx.expected.error);
    return;
  }
  const plan = run();
  expect(plan.action).toBe(fx.expected.action);
  if (fx.expected.changes !== undefined) expect(plan.changes).toEqual(fx.expected.changes);
  if (fx.expected.diff !== undefined) expect(plan.diff).toBe(fx.expected.diff);
  if (fx.expected.verifiable !== undefined) expect(plan.verifiable ?? true).toBe(fx.expected.verifiable);
  if (fx.expected.commands !== undefined) {
    const rec = recordingContext();
    await m.apply(rec.ctx, plan, fx.spec);
    expect(rec.scripts).toEqual(fx.expected.commands);
  }
  if (fx.expected.refresh !== undefined) expect(refreshActionOf(m, fx.spec, plan) ?? null).toBe(fx.expected.refresh);
  if (fx.expected.refreshCommands !== undefined) {
    const rec = recordingContext((script) => (script.startsWith('systemctl is-active') ? 'active\n' : ''));
    await m.refresh!(rec.ctx, fx.spec);
    expect(rec.scripts).toEqual(fx.expected.refreshCommands);
  }
}

/** plan -> apply -> plan again, on this machine. Returns both plans. */
export async function convergeLive<S extends { name: string }, St>(
  m: ResourceModule<S, any, St>,
  spec: S,
  changed: Record<string, boolean | 'maybe'> = {},
): Promise<{ before: Plan<St>; after: Plan<St> }> {
  const before = await planLive(m, spec, changed);
  if (before.action !== 'none') await m.apply(applyContext(), before, spec);
  return { before, after: await planLive(m, spec, changed) };
}
