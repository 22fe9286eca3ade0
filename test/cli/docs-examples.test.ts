/**
 * The docs cannot drift from keel: every ```yaml block of README.md and docs/ is valid YAML and,
 * when it is a state (resources, include) or a list of resources (docs/modules.md), compiles with
 * keel's own compiler on a local host; every ```sh line that runs keel parses with keel's own
 * command line (commands, flags, flag values, arguments) and every `npm run X` is a script of
 * package.json. A block that needs more than itself says so in an HTML comment just before it:
 * `<!-- docs-test: {"vars": {...}, "files": {"states/x.j2": "..."}, "also": "- directory: /srv"} -->`, or
 * `<!-- docs-test: {"skip": "why"} -->`. Every ```sh block with keel commands says how it runs for
 * real (`"run": PROJECT`, test/lab-ssh/docs-run.test.ts and test/stack/stack.test.ts run it line
 * by line) or why it does not (`"not_run": "why"`); see DocNote in test/helpers/docs-example.ts.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadInventory, selectHosts } from '../../src/config/index.js';
import { inventorySchema } from '../../src/config/inventory-schema.js';
import { compileJobs } from '../../src/engine/compile.js';
import { buildProgram } from '../../src/cli/program.js';
import { builtinModules } from '../../modules/index.js';
import { DOCS, docBlocks, type DocBlock } from '../helpers/docs-example.js';
import { DOC_PROJECTS, docLines, quotedOutput, statedExit } from '../helpers/docs-run.js';
import { REPO } from '../helpers/keel.js';

type Block = Pick<DocBlock, 'where' | 'lang' | 'text' | 'note'>;

const all = docBlocks();
const yamlBlocks = all.filter((b) => b.lang === 'yaml');
const shBlocks = all.filter((b) => b.lang === 'sh');

/** A YAML document as keel reads it (`!secret` is keel's own tag). */
function parseYaml(text: string): unknown {
  const doc = parseDocument(text, { customTags: [{ tag: '!secret', resolve: (s: string) => s }] });
  if (doc.errors.length) throw new Error(doc.errors.map((e) => e.message).join('\n'));
  return doc.toJS();
}

const INVENTORY_KEYS = new Set(Object.keys(inventorySchema.properties));

/** A mapping whose keys are all an inventory's (and not a state's): an inventory or a part of one. */
function isInventory(v: unknown): boolean {
  return !!v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0 && Object.keys(v).every((k) => INVENTORY_KEYS.has(k));
}

/** The names of plain states an inventory block lists (top level, groups, hosts): they get empty state files. */
function stateNames(v: Record<string, any>): string[] {
  const hosts = [...Object.values(v.hosts ?? {}), ...Object.values(v.groups ?? {}).flatMap((g: any) => (g?.hosts && !Array.isArray(g.hosts) ? Object.values(g.hosts) : []))];
  const lists = [v.states, ...Object.values(v.groups ?? {}).map((g: any) => g?.states), ...hosts.map((h: any) => h?.states)];
  return lists.flatMap((l) => (Array.isArray(l) ? l.filter((x): x is string => typeof x === 'string') : []));
}

/** A block that shows a file of the repository (`# examples/...` first): the file itself, or undefined. */
function shownFile(b: Block): string | undefined {
  const m = /^# (examples\/\S+)\n/.exec(b.text);
  return m ? join(REPO, m[1]) : undefined;
}

/** Load an inventory block as inventory.yaml (its states empty, the block's files beside it): the keel errors, formatted, or []. */
function loadInventoryBlock(b: Block, value: Record<string, unknown>): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'keel-docs-'));
  const env = Object.entries(b.note?.env ?? {});
  for (const [k, v] of env) process.env[k] = v;
  try {
    const write = (rel: string, text: string) => {
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      writeFileSync(join(dir, rel), text, { mode: text.startsWith('#!') ? 0o755 : 0o644 });
    };
    write('inventory.yaml', b.text);
    for (const name of stateNames(value)) write(`states/${name}.yaml`, 'resources: []\n');
    for (const [rel, text] of Object.entries(b.note?.files ?? {})) write(rel, text);
    try {
      loadInventory(shownFile(b) ?? join(dir, 'inventory.yaml'), { secrets: new Map() });
      return [];
    } catch (e) {
      return [(e as { format?: () => string }).format?.() ?? String(e)];
    }
  } finally {
    for (const [k] of env) delete process.env[k];
    rmSync(dir, { recursive: true, force: true });
  }
}

function isState(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0 && v.every((x) => x && typeof x === 'object' && !Array.isArray(x));
  return !!v && typeof v === 'object' && ('resources' in v || 'include' in v);
}

const indent = (text: string) => text.replace(/^(?=.)/gm, '  ');

/** Compile a state block on a local host: the keel errors, formatted, or []. */
function compileState(b: Block, value: unknown): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'keel-docs-'));
  try {
    const items = Array.isArray(value) ? b.text : '';
    const also = b.note?.also ?? '';
    // a list of resources, or a state whose resources list comes last: the `also` items join it
    const state = Array.isArray(value) || !also ? `${items ? 'resources:\n' + indent(items) : b.text}${also ? indent(also) : ''}` : `${b.text}${indent(also)}`;
    const write = (rel: string, text: string) => {
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      writeFileSync(join(dir, rel), text);
    };
    write('states/doc.yaml', state);
    for (const [rel, text] of Object.entries(b.note?.files ?? {})) write(rel, text);
    write('inventory.yaml', JSON.stringify({ hosts: { docs: { connection: 'local', vars: b.note?.vars ?? {}, states: ['doc'] } } }));
    try {
      const inv = loadInventory(join(dir, 'inventory.yaml'));
      compileJobs(inv, selectHosts(inv, undefined), builtinModules, []);
      return [];
    } catch (e) {
      return [(e as { format?: () => string }).format?.() ?? String(e)];
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the YAML examples of the docs', () => {
  it('every example is fenced as yaml or sh (another name would go unchecked)', () => {
    const other = DOCS.flatMap((doc) => [...readFileSync(join(REPO, doc), 'utf8').matchAll(/^```(yml|bash|shell|console|zsh)$/gm)].map((m) => `${doc}: \`\`\`${m[1]}`));
    expect(other).toEqual([]);
  });

  it('there are examples to check (the extraction works)', () => {
    expect(yamlBlocks.length).toBeGreaterThan(30);
    expect(yamlBlocks.filter((b) => isState(parseYaml(b.text))).length).toBeGreaterThan(20);
    // and a stale one would fail: a misspelt key, a missing variable
    const stale: Block = { where: 'x', lang: 'yaml', text: '- file: /etc/motd\n  modee: "0644"\n' };
    expect(compileState(stale, parseYaml(stale.text))[0]).toMatch(/unknown key 'modee' for file: did you mean 'mode'\?/);
    const unset: Block = { where: 'x', lang: 'yaml', text: 'resources:\n  - file: "/srv/{{ app }}"\n' };
    expect(compileState(unset, parseYaml(unset.text))[0]).toMatch(/undefined variable 'app'/);
  });

  it.each(yamlBlocks.map((b) => [b.where, b] as const))('%s', (_where, b) => {
    if (b.note?.skip) return expect(b.note.skip.length).toBeGreaterThan(10);
    const value = parseYaml(b.text);
    // a block that shows a file of the repository is that file, byte for byte
    const file = shownFile(b);
    if (file) expect(readFileSync(file, 'utf8')).toBe(b.text);
    if (isState(value)) expect(compileState(b, value)).toEqual([]);
    else if (isInventory(value)) expect(loadInventoryBlock(b, value as Record<string, unknown>)).toEqual([]);
  });
});

/** The keel (and npm run) commands of a ```sh block, as word lists. */
export function commandsOf(text: string): string[][] {
  const out: string[][] = [];
  // a line ending in a backslash goes on on the next
  for (const raw of text.replace(/\\\n/g, ' ').split('\n')) {
    const words = shellWords(raw.replace(/^\$ /, ''));
    let segment: string[] = [];
    for (const w of [...words, ';']) {
      if (w === ';' || w === '&&' || w === '||' || w === '|') {
        if (segment[0] === 'sudo') segment.shift();
        while (/^[A-Z_][A-Z0-9_]*=/.test(segment[0] ?? '')) segment.shift(); // VAR=value keel ...
        if (segment[0] === 'keel' || (segment[0] === 'npm' && segment[1] === 'run')) out.push(segment);
        segment = [];
      } else if (/^\d?>/.test(w)) segment.push('>'); // a redirection ends the command's words
      else segment.push(w);
    }
  }
  return out.map((c) => (c.includes('>') ? c.slice(0, c.indexOf('>')) : c));
}

/** Shell words of a line: quotes, a comment, the operators ; && || | as words of their own. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let has = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === "'" || ch === '"') {
      const end = line.indexOf(ch, i + 1);
      cur += line.slice(i + 1, end < 0 ? line.length : end);
      has = true;
      i = end < 0 ? line.length : end;
    } else if (ch === '#' && !has) break;
    else if (/\s/.test(ch)) {
      if (has) words.push(cur);
      cur = '';
      has = false;
    } else if (';|&'.includes(ch)) {
      if (has) words.push(cur);
      const op = line.slice(i, i + 2) === '&&' || line.slice(i, i + 2) === '||' ? line.slice(i, i + 2) : ch;
      words.push(op);
      i += op.length - 1;
      cur = '';
      has = false;
    } else {
      cur += ch;
      has = true;
    }
  }
  if (has) words.push(cur);
  return words;
}

/** Why `keel ARGS` would not parse, or undefined. The actions never run. */
function parseProblem(args: string[]): string | undefined {
  const program = buildProgram();
  const quiet = (c: Command) => {
    c.configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
    c.commands.forEach(quiet);
  };
  quiet(program);
  let cmd: Command = program;
  const rest = [...args];
  for (;;) {
    const sub: Command | undefined = cmd.commands.find((c) => c.name() === rest[0] || c.aliases().includes(rest[0]));
    if (!sub) break;
    cmd = sub;
    rest.shift();
  }
  if (cmd === program) return rest.length === 1 && ['--help', '--version', '-h', '-V'].includes(rest[0]) ? undefined : `no command ${rest[0]}`;
  if (cmd.commands.length && !rest.includes('--help')) return `${cmd.name()} needs a subcommand: ${cmd.commands.map((c) => c.name()).join(', ')}`;
  cmd.exitOverride();
  try {
    const { operands, unknown } = cmd.parseOptions(rest);
    if (unknown.length) return `unknown option ${unknown[0]}`;
    const spec = cmd.registeredArguments;
    const required = spec.filter((a) => a.required).length;
    const most = spec.some((a) => a.variadic) ? Infinity : spec.length;
    if (operands.length < required || operands.length > most) return `${operands.length} arguments (${cmd.name()} takes ${required} to ${most})`;
    spec.forEach((a, i) => {
      const choices = (a as unknown as { argChoices?: string[] }).argChoices;
      if (choices && operands[i] !== undefined && !choices.includes(operands[i])) throw new Error(`argument ${operands[i]}: not one of ${choices.join(', ')}`);
    });
  } catch (e) {
    return e instanceof CommanderError || e instanceof Error ? e.message : String(e);
  }
  return undefined;
}

describe('the shell commands of the docs', () => {
  const scripts = Object.keys(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).scripts);
  const commands = shBlocks.flatMap((b) => commandsOf(b.text).map((c) => [`${b.where}: ${c.join(' ')}`, c] as const));

  it('there are commands to check, and a wrong one would be caught', () => {
    expect(commands.length).toBeGreaterThan(40);
    expect(parseProblem(['plan', '--outt', 'x'])).toBe('unknown option --outt');
    expect(parseProblem(['plann'])).toBe('no command plann');
    expect(parseProblem(['graph', '--format', 'jpeg'])).toMatch(/jpeg/);
    expect(parseProblem(['show'])).toMatch(/0 arguments/);
    expect(parseProblem(['lab'])).toMatch(/needs a subcommand/);
    expect(commandsOf(`sudo keel lab up 3 # boot\nkeel plan --json > r.json && keel show p.keel | less`)).toEqual([['keel', 'lab', 'up', '3'], ['keel', 'plan', '--json'], ['keel', 'show', 'p.keel']]);
    expect(commandsOf(`KEEL_AGE_KEY_FILE=k keel secret edit vars.yaml\nkeel plan \\\n  -l web`)).toEqual([['keel', 'secret', 'edit', 'vars.yaml'], ['keel', 'plan', '-l', 'web']]);
  });

  it('every block of commands runs for real, in a project that exists, or says why not', () => {
    const unsaid = shBlocks.filter((b) => commandsOf(b.text).length > 0).flatMap((b) => {
      if (b.note?.not_run) return b.note.not_run.length > 10 ? [] : [`${b.where}: not_run needs a reason`];
      if (!b.note?.run) return [`${b.where}: no docs-test note with "run" (a project of test/helpers/docs-run.ts) or "not_run" (why)`];
      return b.note.run in DOC_PROJECTS ? [] : [`${b.where}: no project "${b.note.run}" (${Object.keys(DOC_PROJECTS).join(', ')})`];
    });
    expect(unsaid).toEqual([]);
  });

  it("reads a block's lines as the runner does: its exit codes and the output its comments quote", () => {
    expect(docLines('keel plan --out p.keel   # lab1: Plan: 6 to add, ... (and saved; exit 2)\n\n# a comment\nkeel plan \\\n  -l web\n')).toEqual([
      { command: 'keel plan --out p.keel', comment: 'lab1: Plan: 6 to add, ... (and saved; exit 2)' },
      { command: 'keel plan -l web', comment: '' },
    ]);
    expect(statedExit('prints the plan and saves it (exit 2: there is drift)')).toBe(2);
    expect(statedExit('in sync (exit 0)')).toBe(0);
    expect(statedExit('what would change (exit 0 in sync, 2 drift, 1 error)')).toBeUndefined();
    expect(quotedOutput('lab1: Plan: 6 to add, 0 to change, ... (and saved)')).toBe('lab1: Plan: 6 to add, 0 to change,');
    expect(quotedOutput('ok: 1 host(s), 6 resource(s), no errors')).toBe('ok: 1 host(s), 6 resource(s), no errors');
    expect(quotedOutput('superbook: "Hello from PostgreSQL, rendered by Django"')).toBe('Hello from PostgreSQL, rendered by Django');
    expect(quotedOutput('a part of the id, or a glob: \'file:/etc/nginx/*\'')).toBeUndefined();
  });

  it.each(commands)('%s', (_where, c) => {
    if (c[0] === 'npm') expect(scripts).toContain(c[2]);
    else expect(parseProblem(c.slice(1))).toBeUndefined();
  });
});
