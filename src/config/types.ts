/** The compiled forms of inventory and state files that the rest of keel consumes. */
import type { SourcePos } from '../errors.js';
import type { ConnectionSpec } from '../transport/types.js';
import type { BaseSpec } from '../module.js';

/** One declared resource after include resolution, rendering and validation, for one host. */
export interface Resource {
  /** `type:name`, or the explicit `id:`. */
  id: string;
  kind: string;
  name: string;
  /** The module's parameters plus `name` (relations, id and tags removed). */
  spec: BaseSpec & Record<string, unknown>;
  require: string[];
  before: string[];
  watch: string[];
  notify: string[];
  tags: string[];
  /** Where the resource was declared (its type key). */
  pos: SourcePos;
  /** Directory of the declaring state file: relative sources resolve from here. */
  stateDir: string;
  /** Index in declaration order over the host's whole state set: the deterministic tie-break. */
  index: number;
}

/** A declared resource whose `when` condition is false on this host: not probed, not applied, shown as skipped. */
export interface SkippedResource {
  /** As for a Resource; a name or id that could not be rendered (it may use what the condition tests) is its unrendered text. */
  id: string;
  kind: string;
  name: string;
  tags: string[];
  pos: SourcePos;
  /** The condition as written, `true`/`false` for a YAML boolean. */
  condition: string;
}

export interface CompiledHost {
  resources: Resource[];
  skipped: SkippedResource[];
}

export interface HostConfig {
  name: string;
  connection: ConnectionSpec;
  /** Merged variables: defaults < all < group < host < --var. */
  vars: Record<string, unknown>;
  /** State names applied to this host (from all, its groups and itself), in order, deduplicated. */
  states: string[];
  /** Groups the host belongs to, directly or through child groups. */
  groups: string[];
  /** Where the host was declared. */
  pos?: SourcePos;
  /** Hosts that must finish converging before this one starts (its groups' `after:`). */
  after: string[];
  /** Values of this host's `sensitive_vars`: replaced by "(sensitive)" wherever keel shows text. */
  secrets: string[];
}

export interface GroupConfig {
  name: string;
  hosts: string[];
  children: string[];
  vars: Record<string, unknown>;
  states: string[];
  /** Groups whose hosts converge before this group's hosts. */
  after: string[];
}

export interface Inventory {
  file: string;
  /** Directory of the inventory: `states/NAME.yaml` resolves from here. */
  dir: string;
  hosts: Map<string, HostConfig>;
  groups: Map<string, GroupConfig>;
  /** Where keel keeps history, locks and caches for this inventory (`state_dir:`), default `.keel`. */
  stateDir: string;
  /** `drift:` settings for `keel drift` (alerts, metrics, retention); paths resolved from the inventory's directory. */
  drift?: DriftSettings;
}

export interface DriftSettings {
  /** Runs older than this are pruned from the history (open drift episodes are kept). */
  retentionDays?: number;
  webhook?: { url: string; timeoutMs?: number };
  /** A shell command run with the alert JSON on its standard input. */
  command?: string;
  /** Prometheus text file (node_exporter textfile collector), absolute. */
  metricsFile?: string;
  /** `host:port` of a StatsD server (UDP). */
  statsd?: string;
}
