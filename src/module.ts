/**
 * The resource module contract. A module is a pure description of one resource type:
 * a read-only probe (sh snippet + pure parse), a pure plan, and an apply that runs steps
 * through the transport. The engine owns batching, ordering, retries, verification, reporting.
 */
import type { Logger } from 'pino';
import type { Transport } from './transport/types.js';
import type { HostFacts } from './facts/types.js';

export type Action = 'none' | 'create' | 'update' | 'delete';

export interface Change {
  field: string;
  from: unknown;
  to: unknown;
  /** Context the text report shows beside the value (a command's cwd and user): never compared. */
  detail?: string;
}

export interface Plan<Steps = unknown> {
  action: Action;
  /** Structured field changes; sensitive fields are redacted by the engine, not the module. */
  changes: Change[];
  /** Unified diff of contents, when the resource has contents. */
  diff?: string;
  /** What applying it does besides the changes, that the user should know (a hard link split). */
  warnings?: string[];
  /** Module-private data for apply (what to do). */
  steps?: Steps;
  /**
   * False when a re-probe after apply cannot be expected to show "none"
   * (e.g. a command with no guard runs every time). Default true.
   */
  verifiable?: boolean;
  /**
   * Set when a re-probe after apply that still plans a change is the state's fault, not the
   * module's (a command whose guard its run does not make true): what to tell the user.
   */
  unsettled?: { message: string; hint: string };
  /**
   * True when what the resource does in this run cannot depend on its dependencies changing
   * first (a command whose `onchanges` are all in sync will not run, whatever else changes): plan
   * does not show it as "may change", and converge need not probe it again.
   */
  settled?: boolean;
  /**
   * Set when the plan holds only if nothing applied before the resource changes it (a unit that
   * does not exist yet, which the package installed first may bring, start and enable): why.
   * With a dependency planned to change, plan shows it as "may change" with this reason.
   */
  provisional?: string;
}

/** Output of one resource's probe snippet, framed by the engine so any bytes survive. */
export interface ProbeOutput {
  code: number;
  stdout: Buffer;
  stderr: Buffer;
  /** stdout decoded as UTF-8. */
  text: string;
}

/**
 * A probe several resources of a host share, one concern (file metadata, packages, units): the
 * engine runs ONE script for all requests of a concern and hands each resource its own part, so
 * a host with 40 files pays one `stat` and one `sha256sum`, not 40 of each.
 */
export interface ProbeConcern<Req = any> {
  /** Requests of concerns with the same key are batched together. */
  key: string;
  /**
   * One read-only POSIX sh snippet for all the requests (in order). It runs in the probe
   * script's own shell (not a subshell), so it must not exit, cd, or change options, and gives
   * its variables and functions a prefix of its own (k_f_ for files); "$k_t" is a private
   * scratch directory it may write files into (not named e).
   */
  script(requests: Req[]): string;
  /** Pure: the snippet's output split into what each request's own probe would have printed. */
  split(out: ProbeOutput, requests: Req[]): ProbeOutput[];
}

export interface SharedProbe<Req = any> {
  concern: ProbeConcern<Req>;
  request: Req;
}

/**
 * What a module's probe asks for: its own sh snippet (run in a subshell), a part of a shared
 * probe, or several of these whose outputs parse() receives concatenated in order.
 */
export type Probe = string | SharedProbe | (string | SharedProbe)[];

/** What plan knows about the rest of the run. */
export interface PlanContext {
  /** Did resource `id` change in this run? 'maybe' at plan time when it is planned to change. */
  changed(id: string): boolean | 'maybe';
}

/** Controller-side inputs a module may need before probing (read a source file, render a template). */
export interface PrepareEnv {
  /** Directory of the state file that declared the resource. */
  stateDir: string;
  /** The host's variables. */
  vars: Record<string, unknown>;
  /** Render a Jinja-style template string with the host's variables (strict undefined). */
  render(template: string, extraVars?: Record<string, unknown>): string;
  /** Read a file relative to the state file. */
  readFile(relPath: string): Buffer;
}

export interface ApplyContext {
  host: string;
  transport: Transport;
  facts: HostFacts;
  log: Logger;
  /** Run commands of this host through sudo (become). */
  sudo: boolean;
  /** Run a script; reject with CommandError on a non-zero exit. Returns stdout as text. */
  run(script: string, opts?: { stdin?: string | Buffer; timeoutMs?: number }): Promise<string>;
  /** Host-wide once-per-run hooks (e.g. systemd daemon-reload once). */
  once(key: string, fn: () => Promise<void>): Promise<void>;
}

/**
 * How a resource uses a path on the host. Resources that share a path are refused at compile
 * time unless they compose: one 'attrs' owner and any number of 'lines' editors.
 */
export interface PathClaim {
  path: string;
  /**
   * whole: writes or removes the whole file; directory: the path is a directory (both exclusive);
   * attrs: mode/owner/group of a file whose contents it leaves alone; lines: edits part of it.
   */
  use: 'whole' | 'directory' | 'attrs' | 'lines';
}

export interface ResourceModule<Spec extends BaseSpec = any, Current = any, Steps = any> {
  /** The key that names this type in a state file: `file`, `service`, ... */
  kind: string;
  /** One paragraph for docs/modules.md: what it manages. */
  doc: string;
  /** JSON Schema of the module's own parameters (the engine adds name and the common keys). */
  schema: { type: 'object'; properties: Record<string, unknown>; required?: string[]; [k: string]: unknown };
  /** Spec fields never shown in diffs, logs, JSON or history. */
  sensitive?: string[];
  /**
   * Parameters that hold ids of other resources (command's `onchanges`): checked like `require`
   * (an unknown id is an error at its place) and, inside a bundle, resolved to the instance's own first.
   */
  idParams?: readonly string[];
  /** Ids this resource depends on when they are declared (file -> its parent directory). */
  autoRequires?(spec: Spec): string[];
  /** Paths on the host this resource manages (after prepare): the engine refuses or orders sharers. */
  paths?(spec: Spec): PathClaim[];
  /** Controller-side preparation (read/render sources) before probing. Throws ConfigError. */
  prepare?(spec: Spec, env: PrepareEnv): Spec;
  /**
   * What to run on the host, read-only, whose output parse() understands: a sh snippet, or a
   * part of a shared probe (see ProbeConcern) when others of the host can share one process.
   */
  probe(spec: Spec): Probe;
  parse(spec: Spec, out: ProbeOutput, facts: HostFacts): Current;
  plan(spec: Spec, current: Current, facts: HostFacts, ctx: PlanContext): Plan<Steps>;
  apply(ctx: ApplyContext, plan: Plan<Steps>, spec: Spec): Promise<void>;
  /**
   * Apply several resources of this type at once (all package installs of a host in one
   * `apt-get install`). When present, the engine gathers every resource of this kind that needs
   * a change and whose dependencies are all done, and calls this once for them instead of apply.
   */
  applyBatch?(ctx: ApplyContext, items: { spec: Spec; plan: Plan<Steps> }[]): Promise<void>;
  /** Run when a watched resource changed (restart, reload), after this resource's own apply. */
  refresh?(ctx: ApplyContext, spec: Spec): Promise<void>;
  /**
   * What refresh does to this resource, as a verb for plan and report ('restart', 'reload',
   * 'run', 'daemon-reload'). `undefined`: as declared it has no refresh (a command without
   * `refresh: run`), and a watch or notify that would refresh it is an error at validate.
   * `false`: it would do nothing in this run, given its own plan (a service that this run starts
   * anyway, a command that runs anyway): the engine does not call refresh. Without this hook a
   * module with refresh always refreshes, as 'refresh'.
   */
  refreshAction?(spec: Spec, plan?: Plan<Steps>): string | false | undefined;
}

/** Every spec has its name: the value of the type key (a path, a package, a unit). */
export interface BaseSpec {
  name: string;
}

/** What refresh does to a resource of `mod` (see ResourceModule.refreshAction), the default included. */
export function refreshActionOf<S extends BaseSpec>(mod: ResourceModule<S>, spec: S, plan?: Plan): string | false | undefined {
  if (!mod.refresh) return undefined;
  return mod.refreshAction ? mod.refreshAction(spec, plan) : 'refresh';
}
