/**
 * Fuzz of the real loader with malformed states and inventories: the example project's files,
 * mutated (test/helpers/config-mutations.ts). Whatever the input, what `keel plan` runs before
 * touching a host (loadInventory, selectHosts, compileJobs: parse, render, schema, prepare,
 * graph) ends in KeelErrors that each name a file and a line, never in another exception. A
 * sample goes through the real CLI (`keel validate`): exit 0, 1 or 2, never a stack trace.
 * Each example resource is also a state file of its own, loaded with the example's variables by
 * an inventory of one host, so that a case compiles only what it mutated; the inventory itself
 * is mutated with every state behind it.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { builtinModules } from '../../modules/index.js';
import { flattenErrors, loadInventory, selectHosts } from '../../src/config/index.js';
import { compileJobs } from '../../src/engine/compile.js';
import { isKeelError, type KeelError } from '../../src/errors.js';
import { mutate, textMutation, yamlMutation, type Mutation } from '../helpers/config-mutations.js';
import { keel, REPO } from '../helpers/keel.js';

const SEED = Number(process.env.KEEL_FUZZ_SEED ?? 20261201);
const STATES = ['django', 'nginx', 'postgresql', 'demo'];
/** The example's bundles and their one state each. */
const BUNDLES = [
  ['django_app', 'app'],
  ['nginx_site', 'site'],
  ['postgres_app', 'db'],
] as const;
const RELATIONS = ['require', 'before', 'watch', 'notify'];

interface Project {
  dir: string;
  /** Each file a case may mutate, with the inventory that loads it. */
  targets: Map<string, string>;
  original: Map<string, string>;
  remove(): void;
}

/**
 * A copy of the example (inventory.yaml, states/, bundles/), plus each example resource on its
 * own as `states/one-<state>-<n>.yaml` (relations dropped: they name the other resources), or
 * for a bundle's resource as a bundle `bundles/one-<bundle>-<n>/` (its bundle.yaml and
 * templates, that one resource as its state) instantiated with the example's first `with`,
 * each with a one-host inventory and the example's variables: a case compiles what it mutated.
 */
function exampleProject(): Project {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'keel-fuzz-')));
  cpSync(join(REPO, 'inventory.yaml'), join(dir, 'inventory.yaml'));
  cpSync(join(REPO, 'states'), join(dir, 'states'), { recursive: true });
  cpSync(join(REPO, 'bundles'), join(dir, 'bundles'), { recursive: true });
  // db_password is a !secret: its ciphertext is as good as any string here (only loader errors count)
  const inventory = parse(readFileSync(join(REPO, 'inventory.yaml'), 'utf8'), { logLevel: 'error' });
  const vars = inventory.vars;
  const targets = new Map<string, string>([['inventory.yaml', 'inventory.yaml']]);
  for (const state of STATES) {
    const resources: Record<string, unknown>[] = parse(readFileSync(join(dir, 'states', `${state}.yaml`), 'utf8')).resources;
    resources.forEach((r, i) => {
      const name = `one-${state}-${i}`;
      for (const k of RELATIONS) delete r[k];
      writeFileSync(join(dir, 'states', `${name}.yaml`), stringify({ resources: [r] }));
      writeFileSync(join(dir, `inv-${name}.yaml`), stringify({ vars, hosts: { h: { connection: 'local', states: [name] } } }));
      targets.set(`states/${name}.yaml`, `inv-${name}.yaml`);
    });
  }
  const instances = Object.values(inventory.groups as Record<string, { states: unknown[] }>).flatMap((g) => g.states);
  for (const [bundle, state] of BUNDLES) {
    const resources: Record<string, unknown>[] = parse(readFileSync(join(dir, 'bundles', bundle, 'states', `${state}.yaml`), 'utf8')).resources;
    const entry = instances.find((e) => (e as { bundle?: string }).bundle === bundle) as { with: unknown };
    resources.forEach((r, i) => {
      const name = `one-${bundle}-${i}`;
      for (const k of RELATIONS) delete r[k];
      cpSync(join(dir, 'bundles', bundle), join(dir, 'bundles', name), { recursive: true });
      rmSync(join(dir, 'bundles', name, 'states'), { recursive: true });
      mkdirSync(join(dir, 'bundles', name, 'states'));
      writeFileSync(join(dir, 'bundles', name, 'states', 'main.yaml'), stringify({ resources: [r] }));
      const states = [{ bundle: name, name: 'x', with: entry.with }];
      writeFileSync(join(dir, `inv-${name}.yaml`), stringify({ vars, hosts: { h: { connection: 'local', states } } }));
      targets.set(`bundles/${name}/states/main.yaml`, `inv-${name}.yaml`);
      if (i === 0) targets.set(`bundles/${name}/bundle.yaml`, `inv-${name}.yaml`);
      const template = typeof r.source === 'string' ? r.source : typeof r.template === 'string' ? r.template : undefined;
      if (template) targets.set(`bundles/${name}/${template}`, `inv-${name}.yaml`);
    });
  }
  const original = new Map([...targets.keys()].map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
  return { dir, targets, original, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

const project = exampleProject();
afterAll(() => project.remove());
const FILES = [...project.targets.keys()];
const STATE_FILES = FILES.filter((f) => f !== 'inventory.yaml');

interface Case {
  file: string;
  mutations: Mutation[];
}

const caseOf = (files: string[], mutation: fc.Arbitrary<Mutation>): fc.Arbitrary<Case> =>
  fc.record({ file: fc.constantFrom(...files), mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }) });

/** plan's loading, with its errors as values; anything but a KeelError is thrown as it is. */
function planErrors(inventory: string): KeelError[] {
  try {
    const inv = loadInventory(inventory);
    compileJobs(inv, selectHosts(inv), builtinModules);
    return [];
  } catch (e) {
    if (!isKeelError(e)) throw e;
    return flattenErrors([e]);
  }
}

const INTERNAL = /Maximum call stack|could not be cloned|TypeError|ReferenceError|\[object Object\]|function \w*\(|undefined is not/;

/** What is wrong with the loader's answer to one case: undefined when it is a proper answer. */
function problem(p: Project, c: Case): string | undefined {
  const path = join(p.dir, c.file);
  writeFileSync(path, mutate(p.original.get(c.file)!, c.mutations));
  try {
    let errors: KeelError[];
    try {
      errors = planErrors(join(p.dir, p.targets.get(c.file)!));
    } catch (e) {
      return `not a KeelError: ${e instanceof Error ? e.stack : String(e)}`;
    }
    for (const e of errors) {
      const text = e.format();
      if (!e.pos?.file || !(e.pos.line >= 1) || !(e.pos.column >= 1)) return `error without file:line: ${text}`;
      if (INTERNAL.test(text)) return `internal error shown to the user: ${text}`;
    }
    return undefined;
  } finally {
    writeFileSync(path, p.original.get(c.file)!);
  }
}

const holds = (c: Case) => {
  const p = problem(project, c);
  if (p) throw new Error(`${c.file}: ${p}`);
};

describe('fuzz: malformed states and inventories through the real loader', () => {
  // 10,000 cases in all: states (and their templates) take most, the inventory the rest
  it.each([
    ['text-level', 'states and templates', STATE_FILES, textMutation, 3500],
    ['YAML-level', 'states', STATE_FILES.filter((f) => f.endsWith('.yaml')), yamlMutation, 3500],
    ['text-level', 'the inventory', ['inventory.yaml'], textMutation, 1500],
    ['YAML-level', 'the inventory', ['inventory.yaml'], yamlMutation, 1500],
  ] as const)('%s mutations of %s: only KeelErrors, each with file:line', (_level, _what, files, mutation, numRuns) => {
    fc.assert(fc.property(caseOf([...files], mutation), holds), { numRuns, seed: SEED + numRuns + files.length });
  }, 600_000); // CPU-bound: generous on a loaded machine, a few seconds per 1,000 cases on an idle one

  it('a sample through the real CLI: exit 0, 1 or 2, no stack trace, every message at file:line', async () => {
    const cases = fc.sample(fc.oneof(caseOf(FILES, textMutation), caseOf(FILES, yamlMutation)), { numRuns: 24, seed: SEED });
    const results = [];
    for (let i = 0; i < cases.length; i += 4) results.push(...(await Promise.all(cases.slice(i, i + 4).map(viaCli))));
    for (const r of results) {
      expect([0, 1, 2], r.stderr).toContain(r.code);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(r.stderr).not.toMatch(INTERNAL);
      // every message line (hints and cycle members are indented) starts with file:line:column
      for (const line of r.stderr.replace(/^error: /, '').split('\n').filter((l) => l && !/^\s/.test(l))) {
        expect(line).toMatch(/^\/[^:]+:\d+:\d+: /);
      }
    }
  }, 600_000);
});

async function viaCli(c: Case) {
  const p = exampleProject();
  try {
    writeFileSync(join(p.dir, c.file), mutate(p.original.get(c.file)!, c.mutations));
    return await keel(['validate', '-i', join(p.dir, p.targets.get(c.file)!)]);
  } finally {
    p.remove();
  }
}
