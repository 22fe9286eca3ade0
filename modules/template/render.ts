/**
 * Rendering of a template file on the controller, with `{% include %}` and errors placed at the
 * template file's line:column. The state-value renderer (src/config/render.ts) has no loader and
 * places errors in state files; this one uses a nunjucks FileSystemLoader and, like it, strict
 * undefined: a static walk names every undefined variable before nunjucks runs.
 */
import { dirname } from 'node:path';
import nunjucks from 'nunjucks';
import { ConfigError, isKeelError, type SourcePos } from '../../src/errors.js';
import { FUNCTION_OUTPUT } from '../../src/config/no-function-output.js';
import { didYouMean } from '../../src/config/suggest.js';
import { undefinedVarHint } from '../../src/config/facts-var.js';
import { isInside } from '../../src/config/inside.js';
import { userMessage } from '../../src/config/render.js';
import { templateVarUses, type NjNode, type VarUse } from '../../src/config/template-vars.js';

export interface TemplateFile {
  /** Absolute path: where errors point, and the base of `./` includes. */
  file: string;
  text: string;
}

/** nunjucks' getTemplate with the including file (missing from @types/nunjucks): resolves ./ names. */
interface GetTemplate {
  getTemplate(name: string, eagerCompile: boolean, parentName: string): nunjucks.Template | null;
}

const parser = (nunjucks as unknown as { parser: { parse(src: string): NjNode } }).parser;

/**
 * Parses every template it loads, so that a syntax error in an included file becomes a
 * ConfigError here: nunjucks would otherwise throw it asynchronously, outside any try/catch.
 */
class CheckingLoader extends nunjucks.FileSystemLoader {
  readonly loaded: string[] = [];
  failure?: ConfigError;
  constructor(
    private readonly roots: string[],
    opts: nunjucks.FileSystemLoaderOptions,
  ) {
    super(roots, opts);
  }
  override getSource(name: string): nunjucks.LoaderSource {
    const src = super.getSource(name) as nunjucks.LoaderSource | null;
    // nunjucks keeps a name inside a search path by a string-prefix test, which lets
    // "../states-evil/x" through from "states": check the path itself.
    if (src && !this.roots.some((dir) => isInside(src.path, dir))) {
      this.failure ??= new ConfigError(`template '${name}' is outside the template folders (${this.roots.join(', ')})`, {
        hint: 'an included template lives beside the template or the state file that renders it, or below them',
      });
      throw this.failure;
    }
    if (src) {
      this.loaded.push(src.path);
      try {
        parser.parse(src.src);
      } catch (e) {
        this.failure ??= syntaxError(e, src.path, src.src);
        throw this.failure;
      }
    }
    return src as nunjucks.LoaderSource;
  }
}

/**
 * Render `top` with `vars`. Included names are looked up in `searchPaths` in order; a name
 * starting with ./ or ../ is relative to the including file. Throws ConfigError.
 */
export function renderTemplateFile(top: TemplateFile, vars: Record<string, unknown>, searchPaths: string[]): string {
  const { loader, env, compiled } = environment([...new Set(searchPaths)]);
  loader.loaded.length = 0;
  loader.failure = undefined;
  checkFile(top, vars, new Set(), env, new Set());
  const cached = compiled.get(top.file);
  let template = cached?.text === top.text ? cached.template : undefined;
  try {
    template ??= new nunjucks.Template(top.text, env, top.file, true);
  } catch (e) {
    throw syntaxError(e, top.file, top.text);
  }
  compiled.set(top.file, { text: top.text, template });
  try {
    return template.render(vars);
  } catch (e) {
    if (loader.failure) throw loader.failure;
    if (isKeelError(e)) throw e;
    throw runtimeError(e, top.file, loader.loaded.length === 0);
  }
}

interface Environment {
  loader: CheckingLoader;
  env: nunjucks.Environment;
  /** Top templates compiled in this environment, by file (its latest text only, so an edited file replaces its entry): compiled once, rendered per host. */
  compiled: Map<string, { text: string; template: nunjucks.Template }>;
}

/** One nunjucks environment per list of template folders, built on first use (rendering is synchronous: its loader's record is per render). */
const environments = new Map<string, Environment>();

/** How many top templates are kept compiled, over all environments (bounded by the files, not by their edits). */
export function compiledTemplateCount(): number {
  let n = 0;
  for (const e of environments.values()) n += e.compiled.size;
  return n;
}

function environment(roots: string[]): Environment {
  const key = roots.join('\0');
  let e = environments.get(key);
  if (!e) {
    // noCache: a long-running `keel drift --every` must see edited includes.
    const loader = new CheckingLoader(roots, { noCache: true });
    e = { loader, env: new nunjucks.Environment(loader, { throwOnUndefined: true, autoescape: false }), compiled: new Map() };
    environments.set(key, e);
  }
  return e;
}

/** Undefined variables of one file, then of every file it includes by a literal name. */
function checkFile(
  f: TemplateFile,
  vars: Record<string, unknown>,
  known: Set<string>,
  env: nunjucks.Environment,
  seen: Set<string>,
): void {
  if (seen.has(f.file)) return;
  seen.add(f.file);
  let root: NjNode;
  let uses: VarUse[];
  try {
    root = parser.parse(f.text);
    uses = templateVarUses(f.text);
  } catch (e) {
    throw syntaxError(e, f.file, f.text);
  }
  const fn = printedGlobal(root, vars);
  if (fn) throw new ConfigError(`template error: ${FUNCTION_OUTPUT}`, { pos: { file: f.file, line: fn.lineno + 1, column: fn.colno + 1 } });
  for (const use of uses) {
    if (known.has(use.path[0])) continue;
    const err = undefinedError(use, vars, f.file);
    if (err) throw err;
  }
  // What this file binds or guards (loop variables, set, `x is defined`) is known to its includes:
  // symbols it mentions that are not reported as plain uses.
  const usedRoots = new Set(uses.map((u) => u.path[0]));
  const childKnown = new Set(known);
  for (const s of symbols(root)) if (!usedRoots.has(s)) childKnown.add(s);

  for (const ref of templateRefs(root)) {
    let child: nunjucks.Template | null;
    try {
      child = (env as unknown as GetTemplate).getTemplate(ref.name, false, f.file);
    } catch (e) {
      const pos = { file: f.file, line: ref.line, column: ref.column };
      if (isKeelError(e)) throw e.pos ? e : new ConfigError(e.message, { pos, hint: e.hint, cause: e });
      if (ref.ignoreMissing) continue;
      throw new ConfigError(`template not found: ${ref.name}`, {
        pos,
        hint: 'included names are relative to the template\'s directory (then the state file\'s); "./x" to the including file',
        cause: e,
      });
    }
    const c = child as unknown as { path?: string; tmplStr?: string } | null;
    if (c?.path && typeof c.tmplStr === 'string') checkFile({ file: c.path, text: c.tmplStr }, vars, childKnown, env, seen);
  }
}

function undefinedError(use: VarUse, vars: Record<string, unknown>, file: string): ConfigError | undefined {
  let cur: unknown = vars;
  for (let i = 0; i < use.path.length; i++) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined; // a string's .length etc.
    const seg = use.path[i];
    if (!(seg in (cur as object))) {
      const name = use.path.slice(0, i + 1).join('.');
      return new ConfigError(`undefined variable '${name}'${didYouMean(seg, Object.keys(cur as object))}`, {
        pos: { file, line: use.line + 1, column: use.col + 1 },
        hint: undefinedVarHint(use.path, `define it in the inventory (vars, group or host vars), in the resource's vars, or pass --var ${name}=...`),
      });
    }
    cur = (cur as Record<string, unknown>)[seg];
  }
  return undefined;
}

interface TemplateRef {
  name: string;
  ignoreMissing: boolean;
  line: number;
  column: number;
}

/** `{% include "x" %}` and `{% extends "x" %}` with a literal name: they render with this file's context. */
function templateRefs(n: NjNode, out: TemplateRef[] = []): TemplateRef[] {
  if (n.typename === 'Include' || n.typename === 'Extends') {
    const t = n.template as NjNode | undefined;
    if (t?.typename === 'Literal' && typeof t.value === 'string') {
      out.push({ name: t.value, ignoreMissing: n.ignoreMissing === true, line: t.lineno + 1, column: t.colno + 1 });
    }
  }
  for (const c of children(n)) templateRefs(c, out);
  return out;
}

/**
 * `{{ range }}`: a nunjucks global function printed as it is. Found before rendering, because
 * nunjucks gives no line for an error raised while printing.
 */
function printedGlobal(n: NjNode, vars: Record<string, unknown>): NjNode | undefined {
  if (n.typename === 'Output') {
    for (const c of children(n)) {
      if (c.typename === 'Symbol' && ['range', 'cycler', 'joiner'].includes(String(c.value)) && !(String(c.value) in vars)) return c;
    }
  }
  for (const c of children(n)) {
    const found = printedGlobal(c, vars);
    if (found) return found;
  }
  return undefined;
}

function symbols(n: NjNode, out = new Set<string>()): Set<string> {
  if (n.typename === 'Symbol') out.add(String(n.value));
  for (const c of children(n)) symbols(c, out);
  return out;
}

function children(n: NjNode): NjNode[] {
  const out: NjNode[] = [];
  for (const f of n.fields) {
    const v = n[f];
    for (const x of Array.isArray(v) ? v : [v]) {
      if (typeof x === 'object' && x !== null && typeof (x as NjNode).typename === 'string') out.push(x as NjNode);
    }
  }
  return out;
}

/** The message nunjucks wraps as "(path) [Line l, Column c]\n  Template render error: ...\n  Error: msg". */
function innerMessage(raw: string): string {
  const last = raw.split('\n').pop() ?? raw;
  return userMessage(last.replace(/^\s*(Template render error:\s*)?(\([^)]*\)\s*)?(\[Line \d+, Column \d+\]\s*)?(Error:\s*)?/, '').trim());
}

function syntaxError(e: unknown, file: string, text: string): ConfigError {
  const err = e as { message?: string; lineno?: number; colno?: number };
  const raw = err.message ?? String(e);
  const where = /\[Line (\d+), Column (\d+)\]/.exec(raw);
  const line = where ? Number(where[1]) : err.lineno;
  const column = where ? Number(where[2]) : err.colno;
  // nunjucks gives no line for a tag left open at the end of the file: point at the tag
  const pos: SourcePos = line ? { file, line, column: column || 1 } : { file, ...(unclosedTag(text) ?? { line: 1, column: 1 }) };
  return new ConfigError(`template syntax error: ${innerMessage(raw)}`, { pos, cause: e });
}

/** Line and column of the first `{{`, `{%` or `{#` that is never closed, if one is. */
export function unclosedTag(text: string): { line: number; column: number } | undefined {
  const close: Record<string, string> = { '{{': '}}', '{%': '%}', '{#': '#}' };
  for (let i = text.search(/\{[{%#]/); i >= 0; ) {
    const end = text.indexOf(close[text.slice(i, i + 2)], i + 2);
    if (end < 0) {
      const before = text.slice(0, i);
      return { line: before.split('\n').length, column: i - before.lastIndexOf('\n') };
    }
    const next = text.slice(end + 2).search(/\{[{%#]/);
    i = next < 0 ? -1 : end + 2 + next;
  }
  return undefined;
}

/**
 * An error while rendering (null output, calling an undefined function, unknown filter).
 * nunjucks blames the wrong file for errors after an include, so its position is trusted only
 * when no other file took part.
 */
function runtimeError(e: unknown, file: string, singleFile: boolean): ConfigError {
  const raw = e instanceof Error ? e.message : String(e);
  const where = /\[Line (\d+), Column (\d+)\]/.exec(raw);
  const inner = innerMessage(raw);
  const message = `template error: ${inner}`;
  // Static checks found every variable defined: the value output is null (an empty YAML value).
  const hint = /null or undefined value/.test(inner)
    ? 'a variable printed here is null (an empty value in YAML?): give it a value or use | default("", true)'
    : undefined;
  if (where && singleFile) {
    return new ConfigError(message, { pos: { file, line: Number(where[1]), column: Number(where[2]) }, hint, cause: e });
  }
  return new ConfigError(`${message} (rendering ${file})`, { hint, cause: e });
}

/** Default search path: the template's own directory, then the state file's. */
export function searchPathsFor(templateFile: string, stateDir: string): string[] {
  return [dirname(templateFile), stateDir];
}
