/** The compiled forms of inventory and state files that the rest of keel consumes. */
import type { Node } from 'yaml';
import type { SourcePos } from '../errors.js';
import type { YamlSource } from './source.js';
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
  /** Variables the resource was rendered with, when not the host's: a bundle instance's params over them. */
  vars?: Record<string, unknown>;
  /** The bundle instance that declared it (`nginx_site[shop]`); its id starts with this and a `/`. */
  instance?: string;
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

/**
 * One mapping entry of an `include:` list or an inventory `states:` list: a state file or a
 * bundle instance, maybe under a condition. A plain name stays a string.
 */
export interface IncludeEntry {
  /** The entry (list item), for messages. */
  pos: SourcePos;
  source: YamlSource;
  /** A state: its name as written. */
  state?: string;
  /** A bundle: its name and the instance's name. */
  bundle?: string;
  instance?: string;
  /** The `with:` value node (params of the instance). */
  with?: Node | null;
  /** The `when:` value node. */
  when?: Node | null;
}

export type StateEntry = string | IncludeEntry;

export interface HostConfig {
  name: string;
  connection: ConnectionSpec;
  /** Merged variables: defaults < all < group < host < --var. */
  vars: Record<string, unknown>;
  /** States and bundle instances applied to this host (from all, its groups and itself), in order; names deduplicated. */
  states: StateEntry[];
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
  states: StateEntry[];
  /** Groups whose hosts converge before this group's hosts. */
  after: string[];
}

export interface Inventory {
  file: string;
  /** Directory of the inventory: `states/NAME.yaml` resolves from here. */
  dir: string;
  hosts: Map<string, HostConfig>;
  groups: Map<string, GroupConfig>;
  /** Directories searched for `bundles/NAME/bundle.yaml`: `bundles/` beside the inventory, then `bundle_path:`. */
  bundlePath?: string[];
  /** Where keel keeps history, locks and caches for this inventory (`state_dir:`), default `.keel`. */
  stateDir: string;
  /** `secrets.recipients`: the age recipients `keel secret encrypt` and `edit` encrypt to. */
  recipients: string[];
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
  /** Where the history is: a PostgreSQL URL (no password) or a file (absolute); default <state dir>/history.db. */
  history?: string;
}
