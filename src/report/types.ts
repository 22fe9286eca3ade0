/** The machine report (`--json`). Its JSON Schema is docs/report.schema.json; keep the two in step. */
import type { Action, Change } from '../module.js';
import type { Counts } from './counts.js';

export type ResourceStatus = 'ok' | 'planned' | 'changed' | 'failed' | 'skipped';

export interface ResourceReport {
  id: string;
  type: string;
  name: string;
  /** Where it was declared, `file:line`. */
  source: string;
  action: Action | 'may-change';
  changes: Change[];
  diff?: string;
  status: ResourceStatus;
  /** True when a watched resource changed and this one's refresh (restart/reload) ran. */
  refreshed?: boolean;
  /** The refresh that will run (plan) or ran (converge, with refreshed), and the changes that trigger it. */
  refresh?: RefreshReport;
  /** Why a resource is shown as may-change when its plan had to wait for its dependencies. */
  note?: string;
  /** What applying it does besides its changes (a replaced file splits its hard links). */
  warnings?: string[];
  /** Set when the resource is skipped because its `when` condition is false: the condition as written. */
  condition?: string;
  error?: string;
}

export interface RefreshReport {
  /** What the refresh does: 'restart', 'reload', 'reload-or-restart', 'run', 'daemon-reload', 'refresh'. */
  action: string;
  /** Ids of the watched (or notifying) resources that changed, in declaration order. */
  because: string[];
}

export type HostStatus = 'in-sync' | 'drift' | 'ok' | 'changed' | 'failed' | 'unreachable';

export interface HostSummary {
  ok: number;
  changed: number;
  failed: number;
  skipped: number;
  /** Plan only: resources shown as "may change" because a dependency will change. */
  uncertain: number;
}

export interface HostReport {
  host: string;
  status: HostStatus;
  error?: string;
  durationMs: number;
  /** Exec round trips made on the host's transport in this run (puts and the run lock included); absent for a host never started. */
  roundTrips?: number;
  resources: ResourceReport[];
  summary: HostSummary;
  /** Plan: what converge will do; converge: what it did (the words of the text headline). Absent for a host not planned. */
  counts?: Counts;
}

export interface RunSummary {
  hosts: number;
  drifted: number;
  changed: number;
  failed: number;
  unreachable: number;
  /** The total of the hosts' counts (those planned or converged; not an unreachable host, nor one whose plan failed): the text's `Plan (N hosts): ...` line. Absent in runs recorded before it existed. */
  counts?: Counts;
}

/** Present when the run went in rolling batches (`--serial`). */
export interface Rollout {
  /** Host names of each batch, in the order they ran. */
  batches: string[][];
  /** Set when the rollout stopped early (`--max-fail-percentage`). */
  stopped?: {
    /** 1-based number of the last batch that ran. */
    afterBatch: number;
    reason: string;
    /** Hosts of the later batches, never contacted. */
    notRun: string[];
  };
}

export interface RunReport {
  command: 'plan' | 'converge' | 'drift';
  startedAt: string;
  durationMs: number;
  hosts: HostReport[];
  summary: RunSummary;
  rollout?: Rollout;
}
