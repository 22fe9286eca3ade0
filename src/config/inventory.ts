/**
 * loadInventory: inventory.yaml -> Inventory, with every host's merged variables, connection
 * and state list. All errors of the file are reported together (ConfigErrors).
 * Precedence and formats are documented in docs/inventory.md.
 */
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ConfigError, ConfigErrors, type KeelError, type SourcePos } from '../errors.js';
import type { DriftSettings, GroupConfig, HostConfig, Inventory } from './types.js';
import { compileSchema } from './ajv.js';
import { inventorySchema, inventorySubject } from './inventory-schema.js';
import { connectionSettings, connectionSpec, localPath, resolveJumps } from './inventory-connection.js';
import { schemaErrors } from './schema-errors.js';
import { nodeAt, posOf, readYamlFile, type PathSeg } from './source.js';
import { mergeLayers, type InventoryLayer, type MergedInventory } from './inventory-merge.js';
import { dynamicLayers } from './inventory-dynamic.js';
import { DEFAULT_SOURCE_TIMEOUT_S, isInventoryScript, sourceRuns } from './inventory-source.js';
import { mergeStates, statesReader } from './inventory-states.js';
import { didYouMean } from './suggest.js';
import { isPlainObject, mergeVars, type Vars } from './vars.js';
import { groupChildren, groupDepths, groupMembers, nameList } from './inventory-groups.js';
import { dedupeErrors, sortErrors } from './format.js';
import { secretValues, unknownSensitiveVars } from './sensitive-vars.js';
import { reservedFactsErrors } from './facts-var.js';
import { checkRecipients, resolveInventoryValues } from './inventory-values.js';
import type { DecryptedSecrets } from '../secrets/decrypt.js';

export interface LoadInventoryOptions {
  /** `--var` values: the highest precedence. */
  vars?: Vars;
  /** The inventory's `!secret` values, decrypted (decryptInventorySecrets); without it they stay ciphertext. */
  secrets?: DecryptedSecrets;
}


interface Decl {
  value: Vars;
  path: PathSeg[];
}

export function loadInventory(file: string, opts: LoadInventoryOptions = {}): Inventory {
  const errors: KeelError[] = [];
  const dir = dirname(file);
  // `-i SCRIPT`: the whole inventory is the script's output
  const script = isInventoryScript(file);
  const decrypted: string[] = [];
  const stat = script ? undefined : staticLayer(file, errors, opts.secrets, decrypted);
  const runs = stat ? sourceRuns(stat.doc.sources, dir, (p) => stat.at(p, false)) : [{ exe: resolve(file), shown: file, cwd: dir, timeoutS: DEFAULT_SOURCE_TIMEOUT_S }];
  // a static file with errors runs no script: its own errors come first
  const dynamic = errors.length ? [] : dynamicLayers(runs, errors);
  const merged = mergeLayers([...dynamic, ...(stat ? [stat] : [])]);
  const inv = build(file, merged, merged.doc, opts.vars ?? {}, decrypted, errors);
  if (errors.length) throw new ConfigErrors(sortErrors(dedupeErrors(errors)));
  return inv;
}

/** inventory.yaml, schema-checked, as the last (winning) layer; its `!secret` values (decrypted into `decrypted`) and env() values resolved. */
function staticLayer(file: string, errors: KeelError[], secrets: DecryptedSecrets | undefined, decrypted: string[]): InventoryLayer {
  const { source, errors: readErrors } = readYamlFile(file);
  if (!source || readErrors.length) throw new ConfigErrors(readErrors);
  let data: unknown;
  try {
    data = source.doc.toJS() ?? {};
  } catch (e) {
    throw new ConfigErrors([new ConfigError(`invalid YAML: ${(e as Error).message}`, { pos: posOf(source, null), cause: e })]);
  }
  const checkInventorySchema = compileSchema(inventorySchema);
  if (!checkInventorySchema(data)) {
    errors.push(
      ...schemaErrors(checkInventorySchema.errors ?? [], {
        source,
        root: source.doc.contents,
        basePath: [],
        data,
        subject: inventorySubject,
      }),
    );
  }
  const at = (path: PathSeg[], key: boolean): SourcePos => {
    const loc = nodeAt(source, source.doc.contents, path);
    return posOf(source, key ? (loc.key ?? loc.node) : loc.node);
  };
  const node = (path: PathSeg[]) => ({ source, node: nodeAt(source, source.doc.contents, path).node });
  const doc = isPlainObject(data) ? data : {};
  decrypted.push(...resolveInventoryValues(source, doc, secrets, errors));
  return { doc, at, node };
}

function build(file: string, merged: MergedInventory, doc: Vars, cliVars: Vars, decrypted: string[], errors: KeelError[]): Inventory {
  const dir = dirname(file);
  const valueAt = (path: PathSeg[]): SourcePos => merged.at(path);
  const keyAt = (path: PathSeg[]): SourcePos => merged.at(path, true);
  const obj = (v: unknown): Vars => (isPlainObject(v) ? v : {});

  // Declarations: a host may be declared at top level and in groups; its settings merge in order.
  const hostDecls = new Map<string, Decl[]>();
  const declare = (name: string, value: unknown, path: PathSeg[]) => {
    const list = hostDecls.get(name) ?? [];
    list.push({ value: obj(value), path });
    hostDecls.set(name, list);
  };
  for (const [name, v] of Object.entries(obj(doc.hosts))) declare(name, v, ['hosts', name]);
  const groupsIn = obj(doc.groups);
  const direct = new Map<string, string[]>();
  for (const [g, gv] of Object.entries(groupsIn)) {
    const hosts = obj(gv).hosts;
    const names: string[] = [];
    if (Array.isArray(hosts)) {
      hosts.forEach((h, i) => typeof h === 'string' && (declare(h, null, ['groups', g, 'hosts', i]), names.push(h)));
    } else {
      for (const [h, hv] of Object.entries(obj(hosts))) (declare(h, hv, ['groups', g, 'hosts', h]), names.push(h));
    }
    direct.set(g, names);
  }

  const children = groupChildren(groupsIn, valueAt, errors);
  const members = groupMembers(direct, children);
  const depth = groupDepths(children);

  // Every states list, read and checked once where it is written.
  const statesAt = statesReader(merged, dir, errors);
  statesAt(doc.states, ['states']);
  for (const [g, gv] of Object.entries(groupsIn)) statesAt(obj(gv).states, ['groups', g, 'states']);
  for (const decls of hostDecls.values()) for (const d of decls) statesAt(d.value.states, [...d.path, 'states']);

  errors.push(
    ...reservedFactsErrors(
      [
        { vars: doc.vars, path: ['vars'] },
        ...Object.entries(groupsIn).map(([g, gv]) => ({ vars: obj(gv).vars, path: ['groups', g, 'vars'] as PathSeg[] })),
        ...[...hostDecls.values()].flat().map((d) => ({ vars: d.value.vars, path: [...d.path, 'vars'] })),
        { vars: cliVars },
      ],
      keyAt,
    ),
  );

  const settings = new Map<string, { merged: Vars; origin: Map<string, PathSeg[]> }>();
  const hosts = new Map<string, HostConfig>();
  for (const [name, decls] of hostDecls) {
    const groups = [...members.entries()]
      .filter(([, m]) => m.has(name))
      .map(([g]) => g)
      .sort((a, b) => (depth.get(a) ?? 0) - (depth.get(b) ?? 0) || a.localeCompare(b));
    const levels: Decl[] = [
      { value: obj(doc.defaults), path: ['defaults'] },
      ...groups.map((g) => ({ value: obj(groupsIn[g]), path: ['groups', g] as PathSeg[] })),
      ...decls,
    ];
    settings.set(name, connectionSettings(levels));
    const vars = mergeVars(
      { inventory_hostname: name, keel_groups: groups },
      obj(doc.vars),
      ...groups.map((g) => obj(obj(groupsIn[g]).vars)),
      ...decls.map((d) => obj(d.value.vars)),
      cliVars,
    );
    const states = mergeStates(
      statesAt(doc.states, ['states']),
      ...groups.map((g) => statesAt(obj(groupsIn[g]).states, ['groups', g, 'states'])),
      ...decls.map((d) => statesAt(d.value.states, [...d.path, 'states'])),
    );
    hosts.set(name, {
      name,
      connection: connectionSpec(name, settings.get(name)!.merged, dir),
      vars,
      states,
      groups,
      pos: keyAt(decls[0].path),
      after: [],
      secrets: secretValues(vars, doc.sensitive_vars, decrypted),
    });
  }
  const known = new Set([...hosts.values()].flatMap((h) => Object.keys(h.vars)));
  for (const v of [doc.vars, ...Object.values(groupsIn).map((g) => obj(g).vars), cliVars]) for (const k of Object.keys(obj(v))) known.add(k);
  errors.push(...unknownSensitiveVars(doc.sensitive_vars, known, (i) => valueAt(['sensitive_vars', i])));
  errors.push(...checkRecipients(doc, valueAt));
  resolveJumps(hosts, settings, valueAt, errors);
  resolveAfter(hosts, groupsIn, members, valueAt, errors);

  const hostOrder = [...hosts.keys()];
  const groups = new Map<string, GroupConfig>();
  for (const [g, gv] of Object.entries(groupsIn)) {
    groups.set(g, {
      name: g,
      hosts: hostOrder.filter((h) => members.get(g)?.has(h)),
      children: children.get(g) ?? [],
      vars: obj(obj(gv).vars),
      states: statesAt(obj(gv).states, ['groups', g, 'states']),
      after: nameList(obj(gv).after),
    });
  }
  const stateDir = typeof doc.state_dir === 'string' ? doc.state_dir : '.keel';
  const drift = driftSettings(doc.drift, dir);
  // joined, not resolved: messages show a bundle's files as the inventory's path shows them
  const bundlePath = [join(dir, 'bundles'), ...nameList(doc.bundle_path).map((p) => (isAbsolute(p) ? p : join(dir, p)))];
  const recipients = isPlainObject(doc.secrets) && Array.isArray(doc.secrets.recipients) ? doc.secrets.recipients.map(String) : [];
  return { file, dir, hosts, groups, bundlePath, stateDir: resolve(dir, stateDir), recipients, ...(drift ? { drift } : {}) };
}

/** The `drift:` mapping (already schema-checked) in the Inventory's form. */
function driftSettings(raw: unknown, dir: string): DriftSettings | undefined {
  if (!isPlainObject(raw)) return undefined;
  const d = raw as { retention_days?: number; webhook?: { url: string; timeout?: number }; command?: string; metrics_file?: string; statsd?: string; history?: string };
  const out: DriftSettings = {};
  if (typeof d.retention_days === 'number') out.retentionDays = d.retention_days;
  if (isPlainObject(d.webhook) && typeof d.webhook.url === 'string') {
    out.webhook = { url: d.webhook.url, ...(typeof d.webhook.timeout === 'number' ? { timeoutMs: d.webhook.timeout * 1000 } : {}) };
  }
  if (typeof d.command === 'string') out.command = d.command;
  if (typeof d.metrics_file === 'string') out.metricsFile = localPath(d.metrics_file, dir);
  if (typeof d.statsd === 'string') out.statsd = d.statsd;
  if (typeof d.history === 'string') out.history = /^postgres(ql)?:\/\//i.test(d.history) ? d.history : localPath(d.history, dir);
  return out;
}

/** `after: [db]` on a group: its hosts converge once every host of db has finished. */
function resolveAfter(
  hosts: Map<string, HostConfig>,
  groupsIn: Record<string, unknown>,
  members: Map<string, Set<string>>,
  valueAt: (path: PathSeg[]) => SourcePos | undefined,
  errors: KeelError[],
): void {
  const obj = (v: unknown): Vars => (isPlainObject(v) ? v : {});
  // A cycle of `after:` would make converge wait forever: refuse it.
  const edges = new Map(Object.entries(groupsIn).map(([g, gv]) => [g, nameList(obj(gv).after)]));
  const visit = (g: string, chain: string[]): string[] | undefined => {
    if (chain.includes(g)) return [...chain.slice(chain.indexOf(g)), g];
    for (const next of edges.get(g) ?? []) {
      const cycle = visit(next, [...chain, g]);
      if (cycle) return cycle;
    }
    return undefined;
  };
  for (const g of edges.keys()) {
    const cycle = visit(g, []);
    if (cycle) {
      errors.push(new ConfigError(`after: cycle between groups ${cycle.join(' -> ')}`, { pos: valueAt(['groups', g, 'after']) }));
      return;
    }
  }
  for (const [g, gv] of Object.entries(groupsIn)) {
    const after = nameList(obj(gv).after);
    after.forEach((other, i) => {
      if (!members.has(other)) {
        const path: PathSeg[] = Array.isArray(obj(gv).after) ? ['groups', g, 'after', i] : ['groups', g, 'after'];
        errors.push(new ConfigError(`after: '${other}' is not a group${didYouMean(other, members.keys())}`, { pos: valueAt(path) }));
        return;
      }
      for (const h of members.get(g) ?? []) {
        const host = hosts.get(h);
        if (!host) continue;
        for (const first of members.get(other)!) if (first !== h && !host.after.includes(first)) host.after.push(first);
      }
    });
  }
  // Groups can be acyclic while their hosts are not (a host in two groups): check hosts too.
  const state = new Map<string, 'visiting' | 'done'>();
  const visitHost = (h: string, chain: string[]): string[] | undefined => {
    if (state.get(h) === 'done') return undefined;
    if (state.get(h) === 'visiting') return [...chain.slice(chain.indexOf(h)), h];
    state.set(h, 'visiting');
    for (const next of hosts.get(h)?.after ?? []) {
      const cycle = visitHost(next, [...chain, h]);
      if (cycle) return cycle;
    }
    state.set(h, 'done');
    return undefined;
  };
  for (const h of hosts.keys()) {
    const cycle = visitHost(h, []);
    if (cycle) {
      errors.push(new ConfigError(`after: hosts would wait for each other forever: ${cycle.join(' -> ')}`, { pos: hosts.get(cycle[0])!.pos }));
      return;
    }
  }
}
