/**
 * The converge-then-plan property, for any transport: a generated state is refused at compile
 * (when two resources cannot share a path), or converges in one run after which the next plan is
 * empty and every guarded command ran once; only lines that really disagree may fail instead,
 * as the state's problem ("undone by").
 */
import { expect } from 'vitest';
import { ConfigErrors } from '../../src/errors.js';
import type { GenCase } from './gen-states.js';
import type { LocalRun } from './run-local.js';

export interface CaseEnv {
  /** A fresh directory on the host for this case's paths. */
  root: string;
  /** Run a script on the host; its stdout. */
  sh(script: string): Promise<string>;
  writeState(text: string): void;
  run(command: 'plan' | 'converge', vars: string[]): Promise<LocalRun>;
}

export interface Stats {
  cases: number;
  /** Cases where some path was managed by more than one resource. */
  shared: number;
  refused: number;
  fights: number;
  converged: number;
}

export const newStats = (): Stats => ({ cases: 0, shared: 0, refused: 0, fights: 0, converged: 0 });

export async function convergeThenPlan(c: GenCase, env: CaseEnv, stats: Stats): Promise<void> {
  const { root } = env;
  await env.sh(c.setup(root));
  env.writeState(c.state);
  const vars = [`root=${root}`];
  stats.cases++;
  if (c.shared) stats.shared++;
  let conv: LocalRun;
  try {
    conv = await env.run('converge', vars);
  } catch (e) {
    if (!(e instanceof ConfigErrors) || !c.conflict) throw e;
    expect(e.format()).toContain('is managed by');
    // refused before any host is touched: no command ran
    expect(await env.sh(`test -e ${root}/cmdlog && echo ran || echo untouched`)).toBe('untouched\n');
    stats.refused++;
    return;
  }
  expect(c.conflict, `a state with two owners of one path was not refused:\n${c.state}`).toBe(false);
  const bad = conv.report.hosts.flatMap((h) => h.resources).filter((r) => r.status === 'failed' || r.status === 'skipped');
  if (bad.length) {
    expect(c.mayFight, `converge failed:\n${conv.text}\n${c.state}`).toBe(true);
    for (const r of bad) expect(r.error, conv.text).toContain('undone by');
    stats.fights++;
    return;
  }
  expect(conv.code, conv.text).toBe(0);
  const plan = await env.run('plan', vars);
  expect(plan.code, `converge:\n${conv.text}\nthen plan:\n${plan.text}\n${c.state}`).toBe(0);
  const ran = (await env.sh(`cat ${root}/cmdlog 2>/dev/null || true`)).split('\n').filter(Boolean);
  for (const [marker, ids] of c.markers) {
    const runs = ran.filter((id) => ids.includes(id));
    expect(runs, `commands guarded by ${marker}\n${c.state}`).toHaveLength(c.preexisting.includes(marker) ? 0 : 1);
  }
  stats.converged++;
}
