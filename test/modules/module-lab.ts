/** Shared plumbing for the per-module lab tests: one host, one state, the real CLI. */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterAll, expect } from 'vitest';
import { keel, keelJson } from '../helpers/keel.js';
import type { LabTestHost } from '../lab/global-setup.js';
import { labHosts } from '../lab/lab-env.js';
import { labProject, onHost, type LabProject } from '../lab-ssh/lab-inventory.js';

export { onHost };

/** A short random suffix so that tests never collide on names or paths. */
export function uniq(): string {
  return randomBytes(3).toString('hex');
}

/** Module tests use lab1..lab3 only (lab4/lab5 belong to the production-stack test). */
export function moduleHost(i: 0 | 1 | 2): LabTestHost {
  const h = labHosts()[i];
  if (!h || !['lab1', 'lab2', 'lab3'].includes(h.name)) throw new Error(`module tests need lab1..lab3, got ${h?.name}`);
  return h;
}

export interface ModuleProject {
  host: LabTestHost;
  project: LabProject;
  /** Replace the host's one state file. */
  state(text: string): void;
  /** keel plan --json on the host (extra: more flags, e.g. --var). */
  plan(...extra: string[]): ReturnType<typeof keelJson>;
  /** keel converge --json on the host. */
  converge(...extra: string[]): ReturnType<typeof keelJson>;
  /** keel plan in text form (what a user reads). */
  planText(...extra: string[]): ReturnType<typeof keel>;
  /** keel converge in text form. */
  convergeText(...extra: string[]): ReturnType<typeof keel>;
}

// The temp project dirs (inventory, states, keel's history) go after the importing test file.
const projectDirs: string[] = [];
afterAll(() => {
  for (const dir of projectDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A project whose only host is `host`, with the one state `main` (write it with state()). */
export function moduleProject(host: LabTestHost, vars: Record<string, unknown> = {}): ModuleProject {
  const project = labProject(labHosts(), { [host.name]: { address: host.address, states: ['main'], vars } });
  projectDirs.push(project.dir);
  const args = ['-i', project.inventory];
  return {
    host,
    project,
    state: (text) => project.writeState('main', text),
    plan: (...extra) => keelJson(['plan', ...args, ...extra]),
    converge: (...extra) => keelJson(['converge', ...args, ...extra]),
    planText: (...extra) => keel(['plan', ...args, ...extra]),
    convergeText: (...extra) => keel(['converge', ...args, ...extra]),
  };
}

/** The one host's report entry. */
export function hostReport(report: any): any {
  expect(report.hosts).toHaveLength(1);
  return report.hosts[0];
}

/** A resource of the one host's report, by id. */
export function res(report: any, id: string): any {
  const r = hostReport(report).resources.find((x: any) => x.id === id);
  if (!r) throw new Error(`no resource ${id} in the report: ${hostReport(report).resources.map((x: any) => x.id).join(', ')}`);
  return r;
}

/** The resource's change of one field. */
export function change(report: any, id: string, field: string): { field: string; from: unknown; to: unknown } | undefined {
  return (res(report, id).changes ?? []).find((c: any) => c.field === field);
}

/** Expect exit 0 with a readable failure message (stdout carries the report's errors). */
export function ok(r: { code: number; stdout: string; stderr: string }, want = 0): void {
  expect(r.code, `exit ${r.code}\nstdout: ${r.stdout.slice(0, 4000)}\nstderr: ${r.stderr.slice(0, 4000)}`).toBe(want);
}

/** plan must be clean: exit 0, every resource in sync. */
export async function expectInSync(p: ModuleProject, ...extra: string[]): Promise<void> {
  const plan = await p.plan(...extra);
  ok(plan, 0);
  expect(hostReport(plan.report).status).toBe('in-sync');
}
