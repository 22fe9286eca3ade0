/**
 * Terraform-style counts of a host's plan or converge: `Plan: 2 to add, 3 to change, 1 to
 * destroy, 1 to run, 2 to refresh`, and after converge the same words in the past tense with, when
 * nothing outside changed meanwhile, the same numbers. A command that runs counts as "run", not as
 * a change; a refresh (a restart, a reload, a handler) that a change triggers counts on its own,
 * also on a resource that changes itself. Pure.
 */
import type { HostReport, ResourceReport, RunReport } from './types.js';

export interface Counts {
  add: number;
  change: number;
  destroy: number;
  run: number;
  refresh: number;
  /** Plan only: resources that may change once a dependency changed (converge probes them again). */
  mayChange: number;
}

export function countResources(resources: readonly ResourceReport[], command: 'plan' | 'converge' | 'drift'): Counts {
  const n: Counts = { add: 0, change: 0, destroy: 0, run: 0, refresh: 0, mayChange: 0 };
  for (const r of resources) {
    if (command === 'converge') {
      if (r.refreshed) n.refresh++;
      if (r.status === 'changed') bump(n, r);
    } else {
      if (r.status === 'failed' || r.status === 'skipped') continue;
      if (r.refresh) n.refresh++;
      if (r.action === 'may-change') n.mayChange++;
      else bump(n, r);
    }
  }
  return n;
}

function bump(n: Counts, r: ResourceReport): void {
  if (r.action === 'none' || r.action === 'may-change') return;
  if (r.type === 'command') n.run++;
  else if (r.action === 'create') n.add++;
  else if (r.action === 'update') n.change++;
  else n.destroy++;
}

export function sumCounts(all: readonly Counts[]): Counts {
  const n: Counts = { add: 0, change: 0, destroy: 0, run: 0, refresh: 0, mayChange: 0 };
  for (const c of all) for (const k of Object.keys(n) as (keyof Counts)[]) n[k] += c[k];
  return n;
}

/** The hosts whose counts make the run's total (text and summary.counts): not an unreachable host, nor one whose plan failed. */
export function countedHosts(hosts: readonly HostReport[], command: RunReport['command']): HostReport[] {
  return hosts.filter((h) => h.status !== 'unreachable' && !(h.status === 'failed' && command !== 'converge'));
}

/** `Plan: 2 to add, 3 to change, 1 to destroy, 1 to run, 2 to refresh` (`, 1 may change` when any). */
export function planLine(c: Counts): string {
  const may = c.mayChange ? `, ${c.mayChange} may change` : '';
  return `Plan: ${c.add} to add, ${c.change} to change, ${c.destroy} to destroy, ${c.run} to run, ${c.refresh} to refresh${may}`;
}

/** `Applied: 2 added, 3 changed, 1 destroyed, 1 run, 2 refreshed`. */
export function appliedLine(c: Counts): string {
  return `Applied: ${c.add} added, ${c.change} changed, ${c.destroy} destroyed, ${c.run} run, ${c.refresh} refreshed`;
}
