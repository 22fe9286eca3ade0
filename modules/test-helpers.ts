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
import { expect, vi } from 'vitest';
import { CommandError } from '../src/errors.js';
import type { Facts } from '../src/facts/types.js';
import { buildProbeScript, parseProbeOutput } from '../src/engine/probe-script.js';
import { planProbes } from '../src/engine/shared-probe.js';
import { refreshActionOf, type ApplyContext, type PlanContext, type Probe, type ProbeOutput, type ResourceModule, type Plan } from '../src/module.js';
import { shargs } from '../src/shell.js';
import type { ExecOptions, ExecResult, PutOptions, Transport } from '../src/transport/types.js';
import { recordingApplyContext, type Recorded, type Recording, type Reply } from './test-recorder.js';

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
 * Records what apply sends instead of sending it (see test-recorder.ts), answering each script
 * from `reply` (by exact script): unit tests of the exact command sequences of modules whose real
 * behaviour needs systemd or apt (lab tests run them for real).
 */
export function recordingContext(reply: Reply = () => '', opts: { facts?: Facts; sudo?: boolean } = {}): Recording {
  return recordingApplyContext({ facts: opts.facts ?? testFacts, sudo: opts.sudo, reply });
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
  /** Apply with become: ctx.sudo, and every exec and put through sudo. */
  sudo?: boolean;
  /** What apply's own re-read of the probe prints (default probe.stdout): the state after earlier resources applied. */
  reprobe?: string;
  /** Other resources of the module applied in the same applyBatch call, after this one. */
  batchWith?: { spec: Record<string, unknown> & { name: string }; probe: { code: number; stdout: string; stderr?: string } }[];
  /** Regex source -> placeholder, for what differs on every apply (a random salt), in recorded strings. */
  volatile?: Record<string, string>;
  expected: {
    action?: string;
    changes?: unknown[];
    diff?: string;
    verifiable?: boolean;
    /** plan.settled: its outcome cannot depend on its dependencies changing first. */
    settled?: boolean;
    /** A substring of the error plan must throw. */
    error?: string;
    /** Everything apply sends to the host, in order (see test-recorder.ts and fixtureCommands). */
    commands?: Recorded[];
    /**
     * A substring of the error apply fails with: a plan the engine never applies as is (it
     * re-plans after the package it waits for is installed); `commands` is what it sent first.
     */
    applyError?: string;
    /** refreshActionOf(module, spec, plan): a verb, false (would do nothing now), null (no refresh). */
    refresh?: string | false | null;
    /** Everything refresh sends (systemctl is-active answered "active"). */
    refreshCommands?: Recorded[];
  };
}

/** pyinfra style: parse + plan over every `fixtures/*.json`, no host needed. */
export function loadFixtures(dir: string): [string, Fixture][] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [f, JSON.parse(readFileSync(join(dir, f), 'utf8')) as Fixture]);
}

/** The fixture's plan (parse + plan of its probe output). */
export function fixturePlan<St>(m: ResourceModule<any, any, St>, fx: Pick<Fixture, 'spec' | 'probe' | 'facts' | 'changed'>): Plan<St> {
  const facts = { ...testFacts, ...fx.facts };
  const current = m.parse(fx.spec, probeOutput(fx.probe.stdout, fx.probe.code, fx.probe.stderr), facts);
  return m.plan(fx.spec, current, facts, planContext(fx.changed));
}

/** A fixed clock (backup names carry the time) for the duration of `fn`. */
async function atFixedTime<T>(fn: () => Promise<T>): Promise<T> {
  vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-01-02T03:04:05.678Z') });
  try {
    return await fn();
  } finally {
    vi.useRealTimers();
  }
}

function masked(commands: Recorded[], volatile: Record<string, string> = {}): Recorded[] {
  const mask = (v: unknown): unknown => {
    if (typeof v === 'string') return Object.entries(volatile).reduce((t, [re, as]) => t.replace(new RegExp(re, 'g'), as), v);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mask(x)]));
    return v;
  };
  return commands.map((c) => mask(c) as Recorded);
}

/** A unit keel started or restarted is active: `systemctl is-active` answers so, every other script with nothing. */
const activeReply = (script: string): string => (script.startsWith('systemctl is-active') ? 'active\n' : '');

/**
 * What apply (applyBatch when the module has one, as the engine calls it) sends for the fixture,
 * and the error it fails with, if any. Scripts are answered by activeReply, except the
 * resource's own probe snippet (an apply that re-reads the state first), answered with the
 * fixture's `reprobe` or probe output.
 */
export async function fixtureCommands(m: ResourceModule, fx: Fixture, plan: Plan): Promise<{ commands: Recorded[]; error?: string }> {
  const probe = m.probe(fx.spec);
  const reply = (script: string) => (script === probe ? (fx.reprobe ?? fx.probe.stdout) : activeReply(script));
  const rec = recordingContext(reply, { facts: { ...testFacts, ...fx.facts }, sudo: fx.sudo });
  const others = (fx.batchWith ?? []).map((o) => ({ spec: o.spec, plan: fixturePlan(m, { ...o, facts: fx.facts }) }));
  let error: string | undefined;
  await atFixedTime(() => (m.applyBatch ? m.applyBatch(rec.ctx, [{ spec: fx.spec, plan }, ...others]) : m.apply(rec.ctx, plan, fx.spec))).catch(
    (e: unknown) => void (error = e instanceof Error ? e.message : String(e)),
  );
  return { commands: masked(rec.commands, fx.volatile), ...(error === undefined ? {} : { error }) };
}

/** What refresh sends for the fixture (systemctl is-active answered "active"). */
export async function fixtureRefreshCommands(m: ResourceModule, fx: Fixture): Promise<Recorded[]> {
  const rec = recordingContext(activeReply, { facts: { ...testFacts, ...fx.facts }, sudo: fx.sudo });
  await atFixedTime(() => m.refresh!(rec.ctx, fx.spec));
  return masked(rec.commands, fx.volatile);
}

export async function checkFixture(m: ResourceModule, fx: Fixture): Promise<void> {
  if (fx.expected.error !== undefined) {
    expect(() => fixturePlan(m, fx)).toThrow(fx.expected.error);
    return;
  }
  const plan = fixturePlan(m, fx);
  expect(plan.action).toBe(fx.expected.action);
  if (fx.expected.changes !== undefined) expect(plan.changes).toEqual(fx.expected.changes);
  if (fx.expected.diff !== undefined) expect(plan.diff).toBe(fx.expected.diff);
  if (fx.expected.verifiable !== undefined) expect(plan.verifiable ?? true).toBe(fx.expected.verifiable);
  if (fx.expected.settled !== undefined) expect(plan.settled ?? false).toBe(fx.expected.settled);
  if (fx.expected.commands !== undefined || fx.expected.applyError !== undefined) {
    const applied = await fixtureCommands(m, fx, plan);
    if (fx.expected.commands !== undefined) expect(applied.commands).toEqual(fx.expected.commands);
    if (fx.expected.applyError !== undefined) expect(applied.error).toContain(fx.expected.applyError);
    else expect(applied.error).toBeUndefined();
  }
  if (fx.expected.refresh !== undefined) expect(refreshActionOf(m, fx.spec, plan) ?? null).toBe(fx.expected.refresh);
  if (fx.expected.refreshCommands !== undefined) expect(await fixtureRefreshCommands(m, fx)).toEqual(fx.expected.refreshCommands);
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
