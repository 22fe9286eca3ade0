/**
 * Everything that happens before any host is touched: compile each target host's states, let
 * modules prepare their specs on the controller (read sources, render templates), build the
 * graph. All errors of all hosts are collected and thrown together. A host whose states read
 * `facts` is compiled with a placeholder here (validate and graph stop there) and again with its
 * own facts once they are gathered (src/engine/facts-phase.ts).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { ConfigError, ConfigErrors, KeelError, isKeelError } from '../errors.js';
import { compileHostStates, makeRenderer } from '../config/index.js';
import type { Renderer } from '../config/render.js';
import { isInside } from '../config/inside.js';
import { didYouMean } from '../config/suggest.js';
import { idMeant } from '../config/resource-refs.js';
import { varsWithFacts } from '../config/facts-var.js';
import type { HostConfig, Inventory, Resource, SkippedResource } from '../config/types.js';
import { factsPlaceholder } from '../facts/state-facts.js';
import type { StateFacts } from '../facts/types.js';
import { buildGraph, type Graph } from '../graph/build.js';
import { chainShared, sharedPaths } from '../graph/shared-paths.js';
import type { PrepareEnv, ResourceModule } from '../module.js';
import { moduleOf, type ModuleSet } from '../module-set.js';
import { redactSecrets, withoutSecrets } from '../redact.js';

export interface HostJob {
  host: HostConfig;
  /** The modules its resources are of (the set compile was given). */
  modules: ModuleSet;
  resources: Resource[];
  graph: Graph;
  /** Ids selected by --tags (all when no tags were given). */
  selected: Set<string>;
  /** Paths managed by more than one resource -> their ids, in the order they are applied. */
  shared?: Map<string, string[]>;
  /**
   * Set when the host's states read `facts` (compiled here with a placeholder): the job compiled
   * again with the host's gathered facts. Throws ConfigErrors.
   */
  recompile?: (facts: StateFacts) => HostJob;
  /** Resources whose `when` is false here (those --tags selects): reported, never probed; not in the graph. */
  skipped?: SkippedResource[];
}

export function compileJobs(inv: Inventory, hosts: string[], modules: ModuleSet, tags: string[] = []): HostJob[] {
  const errors: KeelError[] = [];
  const jobs: HostJob[] = [];
  for (const name of hosts) {
    const placeholder = factsPlaceholder();
    const job = compileJob(inv, name, modules, tags, placeholder.facts, errors);
    if (!job) continue;
    // the states read facts: compiled again with the host's own once they are gathered
    if (placeholder.read()) job.recompile = (facts) => recompileJob(inv, name, modules, tags, facts);
    jobs.push(job);
  }
  if (errors.length) throw new ConfigErrors(dedupe(errors));
  return jobs;
}

/** The job of a host compiled with its gathered facts; throws ConfigErrors. */
function recompileJob(inv: Inventory, name: string, modules: ModuleSet, tags: string[], facts: StateFacts): HostJob {
  const errors: KeelError[] = [];
  const job = compileJob(inv, name, modules, tags, facts, errors);
  if (errors.length || !job) throw new ConfigErrors(dedupe(errors));
  return job;
}

function compileJob(inv: Inventory, name: string, modules: ModuleSet, tags: string[], facts: StateFacts, errors: KeelError[]): HostJob | undefined {
  const host = inv.hosts.get(name)!;
  const vars = varsWithFacts(host.vars, facts);
  try {
    const compiled = compileHostStates(inv, name, modules, facts);
    const renderers = prepareRenderers(vars);
    const resources = compiled.resources.map((r) => prepareResource(r, moduleOf(modules, r.kind), renderers(r), errors));
    const skipped = compiled.skipped.filter((r) => tags.length === 0 || r.tags.some((t) => tags.includes(t)));
    errors.push(...secretNames([...resources, ...skipped], host.secrets));
    const { graph, shared } = graphOf(resources, modules, errors);
    const selected = selectByTags(resources, graph, tags);
    return { host, modules, resources, graph, selected, shared, skipped };
  } catch (e) {
    if (!isKeelError(e)) throw e;
    // a schema error quotes the value it found: never a secret
    const found = e instanceof ConfigErrors ? e.errors : [e];
    errors.push(...found.map((x) => withoutSecrets(x, host.secrets)));
    return undefined;
  }
}

/**
 * The renderer a resource's prepare renders with: the host's, or for a bundle's resources their
 * instance's params (r.vars, one object per instance and loop item) over the host's vars. Made
 * once per host and per instance, not per resource.
 */
function prepareRenderers(vars: Record<string, unknown>): (r: Resource) => Renderer {
  const host = makeRenderer(vars);
  const byInstance = new WeakMap<object, Renderer>();
  return (r) => {
    if (!r.vars) return host;
    let renderer = byInstance.get(r.vars);
    if (!renderer) byInstance.set(r.vars, (renderer = makeRenderer({ ...vars, ...r.vars })));
    return renderer;
  };
}

function prepareResource(r: Resource, mod: ResourceModule, renderer: Renderer, errors: KeelError[]): Resource {
  if (!mod.prepare) return r;
  const own = renderer.vars as Record<string, unknown>;
  // a bundle's resources read their bundle's folder, a plain state's the state file's folder
  const folder = r.instance ? "bundle's" : "state's";
  const env: PrepareEnv = {
    stateDir: r.stateDir,
    vars: own,
    render: (template, extra) => renderer.renderString(template, extra),
    readFile: (rel) => {
      const path = resolve(r.stateDir, rel);
      if (!isInside(path, r.stateDir)) {
        throw new ConfigError(`source ${rel} is outside the ${folder} folder ${r.stateDir}`, {
          pos: r.pos,
          resource: r.id,
          hint: r.instance
            ? "a bundle's sources live in its own folder (bundles/NAME/templates, bundles/NAME/files)"
            : 'a source lives beside the state file that declares the resource, or below it',
        });
      }
      try {
        return readFileSync(path);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
        const near = code === 'ENOENT' ? didYouMean(basename(path), siblings(dirname(path))) : '';
        throw new ConfigError(`source ${rel}: cannot read ${path}: ${why}${near}`, {
          pos: r.pos,
          resource: r.id,
          hint: r.instance ? "paths of a bundle's sources are relative to its folder" : 'paths of sources are relative to the state file that declares the resource',
        });
      }
    },
  };
  try {
    return { ...r, spec: mod.prepare(r.spec, env) };
  } catch (e) {
    const all = e instanceof ConfigErrors ? e.errors : [isKeelError(e) ? e : new ConfigError((e as Error).message)];
    for (const err of all) errors.push(err.pos ? err : new ConfigError(err.message, { pos: r.pos, resource: r.id, hint: err.hint }));
    return r;
  }
}

/** The host's graph, with resources that share a path chained one after another. */
function graphOf(resources: Resource[], modules: ModuleSet, errors: KeelError[]): { graph: Graph; shared: Map<string, string[]> } {
  // an automatic edge of a bundle's resource (a file's parent directory) means the instance's own first
  const ids = new Set(resources.map((r) => r.id));
  const auto = (r: Resource) => (modules.get(r.kind)?.autoRequires?.(r.spec) ?? []).map((id) => idMeant(r, id, ids));
  const first = buildGraph(resources, auto);
  const paths = sharedPaths(resources, (r) => modules.get(r.kind)?.paths?.(r.spec) ?? []);
  errors.push(...paths.errors);
  if (paths.shared.size === 0) return { graph: first, shared: new Map() };
  const previous = chainShared(first.order, paths.shared);
  const graph = buildGraph(resources, (r) => [...auto(r), ...(previous.get(r.id) ?? [])]);
  const position = new Map(graph.order.map((r, i) => [r.id, i]));
  const shared = new Map(
    [...paths.shared].map(([path, rs]) => [path, rs.map((r) => r.id).sort((a, b) => position.get(a)! - position.get(b)!)] as const),
  );
  return { graph, shared };
}

/**
 * Names and ids are shown everywhere (logs at info, reports, history, alerts, metrics, `keel
 * graph`): one that holds a secret is refused rather than shown redacted past recognition.
 */
function secretNames(resources: (Resource | SkippedResource)[], secrets: readonly string[]): ConfigError[] {
  return resources
    .filter((r) => redactSecrets([r.id, r.name], secrets).some((s, i) => s !== [r.id, r.name][i]))
    .map(
      (r) =>
        new ConfigError(`the name of this ${r.kind} resource contains the value of a sensitive variable`, {
          pos: r.pos,
          resource: redactSecrets(r.id, secrets),
          hint: 'names and ids show in logs, reports, history and keel graph: keep secrets in parameters (env, content, password)',
        }),
    );
}

function dedupe(errors: KeelError[]): KeelError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = e.format();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * --tags: the tagged resources plus whatever watches them (and what watches those), so that a changed config file still
 * restarts its (untagged) service: a refresh skipped now would never happen later.
 */
function selectByTags(resources: Resource[], graph: Graph, tags: string[]): Set<string> {
  const selected = new Set(resources.filter((r) => tags.length === 0 || r.tags.some((t) => tags.includes(t))).map((r) => r.id));
  // transitively: a drop-in reloads its unit, whose refresh restarts the service that watches it
  const queue = [...selected];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    for (const w of graph.watchers.get(id) ?? []) if (!selected.has(w)) (selected.add(w), queue.push(w));
  }
  return selected;
}

/** The names in a folder (none when it cannot be read): candidates for "did you mean". */
function siblings(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
