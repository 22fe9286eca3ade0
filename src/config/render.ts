/**
 * Rendering of `{{ }}` / `{% %}` in state values with one host's variables (nunjucks,
 * strict undefined). Typing rule: a value that is exactly one `{{ expr }}` takes the type of
 * the expression's value (number, boolean, list, mapping); anything else renders to a string.
 */
import nunjucks from 'nunjucks';
import { ConfigError, ConfigErrors, type SourcePos } from '../errors.js';
import './no-function-output.js';
import './sandbox.js';
import { templateVarUses, type VarUse } from './template-vars.js';
import { didYouMean } from './suggest.js';
import { undefinedVarHint } from './facts-var.js';
import { ENV_FUNCTION, readEnv } from './env-function.js';

/** Where a rendered text lives, so errors can point at the variable inside it. */
export interface TextLocation {
  /** Position of the character at `offset` of the text; `token` helps locate it in quoted YAML. */
  pos(offset: number, token?: string): SourcePos;
}

export interface Renderer {
  readonly vars: Readonly<Record<string, unknown>>;
  /** Render a value; text without `{{` or `{%` is returned unchanged. Throws ConfigError(s). */
  render(text: string, at?: TextLocation): unknown;
  /** Render to a string always (templates of files): `extraVars` override the host's. */
  renderString(text: string, extraVars?: Record<string, unknown>, at?: TextLocation): string;
  /** The same renderer with more variables (a loop's `item`): they override this one's. */
  withVars(extra: Record<string, unknown>): Renderer;
}

const env = new nunjucks.Environment(null, { throwOnUndefined: true, autoescape: false });
env.addGlobal(ENV_FUNCTION, readEnv(process.env));
const RAW = '__keel_raw__';
const SINGLE_EXPR = /^\s*\{\{-?\s*([\s\S]+?)\s*-?\}\}\s*$/;

interface Compiled {
  uses: VarUse[];
  template: nunjucks.Template;
  /** Set when the text is one `{{ expr }}`: captures the expression's raw value. */
  raw?: nunjucks.Template;
}

/** Templates are parsed once per distinct text, whatever the number of hosts. */
const cache = new Map<string, Compiled | ConfigError>();

export function hasTemplate(text: string): boolean {
  return text.includes('{{') || text.includes('{%');
}

export function makeRenderer(vars: Record<string, unknown>): Renderer {
  const renderString = (text: string, extraVars?: Record<string, unknown>, at?: TextLocation): string => {
    if (!hasTemplate(text)) return text;
    const ctx = extraVars ? { ...vars, ...extraVars } : vars;
    return String(evaluate(text, ctx, at, false));
  };
  return {
    vars,
    render: (text, at) => (hasTemplate(text) ? evaluate(text, vars, at, true) : text),
    renderString,
    withVars: (extra) => makeRenderer({ ...vars, ...extra }),
  };
}

/** A location for a whole file's text (templates read from disk). */
export function fileLocation(file: string, text: string): TextLocation {
  return {
    pos(offset) {
      const before = text.slice(0, offset).split('\n');
      return { file, line: before.length, column: before[before.length - 1].length + 1 };
    },
  };
}

function evaluate(text: string, vars: Record<string, unknown>, at: TextLocation | undefined, typed: boolean): unknown {
  const compiled = compile(text, at);
  const undefinedErrors = compiled.uses.flatMap((u) => checkUse(u, vars, text, at));
  if (undefinedErrors.length === 1) throw undefinedErrors[0];
  if (undefinedErrors.length > 1) throw new ConfigErrors(undefinedErrors);
  try {
    if (typed && compiled.raw) {
      let value: unknown;
      compiled.raw.render({ ...vars, [RAW]: (v: unknown) => ((value = v), '') });
      if (value !== null && value !== undefined && typeof value !== 'string' && !isSafeString(value)) return value;
    }
    return compiled.template.render(vars);
  } catch (e) {
    throw templateError(e, text, at);
  }
}

function compile(text: string, at: TextLocation | undefined): Compiled {
  let c = cache.get(text);
  if (c === undefined) {
    try {
      const uses = templateVarUses(text);
      const template = new nunjucks.Template(text, env, undefined, true);
      const single = SINGLE_EXPR.exec(text);
      const inner = single?.[1];
      const raw =
        inner && !/\{\{|\}\}|\{%|%\}/.test(inner)
          ? new nunjucks.Template(`{{ ${RAW}((${inner})) }}`, env, undefined, true)
          : undefined;
      c = { uses, template, raw };
    } catch (e) {
      c = templateError(e, text, undefined);
    }
    cache.set(text, c);
  }
  if (c instanceof ConfigError) throw at ? templateError(c.cause, text, at) : c;
  return c;
}

function checkUse(use: VarUse, vars: Record<string, unknown>, text: string, at?: TextLocation): ConfigError[] {
  let cur: unknown = vars;
  for (let i = 0; i < use.path.length; i++) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return []; // a string's .length etc.
    const seg = use.path[i];
    if (!(seg in (cur as object))) {
      const name = use.path.slice(0, i + 1).join('.');
      const offset = offsetOf(text, use.line, use.col);
      return [
        new ConfigError(`undefined variable '${name}'${didYouMean(seg, Object.keys(cur as object))}`, {
          pos: at?.pos(offset, use.path[0]),
          hint: undefinedVarHint(use.path, i > 0 ? keysHint(use.path.slice(0, i).join('.'), cur as object) : `define it in the inventory (vars, group or host vars) or pass --var ${name}=...`),
        }),
      ];
    }
    cur = (cur as Record<string, unknown>)[seg];
  }
  return [];
}

/** A key missing from a mapping (a loop item's, a nested variable's): say which keys it has. */
function keysHint(parent: string, value: object): string {
  const keys = Object.keys(value);
  const shown = keys.slice(0, 12).join(', ') + (keys.length > 12 ? ', ...' : '');
  return keys.length ? `'${parent}' has the keys ${shown}` : `'${parent}' has no keys`;
}

function offsetOf(text: string, line: number, col: number): number {
  let offset = 0;
  for (let l = 0; l < line; l++) {
    const nl = text.indexOf('\n', offset);
    if (nl < 0) break;
    offset = nl + 1;
  }
  return Math.min(offset + Math.max(col, 0), text.length);
}

/** nunjucks errors read "(unknown path) [Line 1, Column 3]\n  Error: msg": keep msg, place it. */
function templateError(e: unknown, text: string, at: TextLocation | undefined): ConfigError {
  const raw = e instanceof Error ? e.message : String(e);
  const where = /\[Line (\d+), Column (\d+)\]/.exec(raw);
  const err = e as { lineno?: number; colno?: number };
  const line = where ? Number(where[1]) : err.lineno;
  const col = where ? Number(where[2]) : err.colno;
  const message = userMessage(
    raw
      .replace(/^\(unknown path\)\s*/, '')
      .replace(/^\[Line \d+, Column \d+\]\s*/, '')
      .replace(/^Error:\s*/, '')
      .trim(),
  );
  const offset = line && col ? offsetOf(text, line - 1, col - 1) : 0;
  return new ConfigError(`template error: ${message}`, { pos: at?.pos(offset), cause: e });
}

/** nunjucks parses and renders by recursion: a nesting thousands deep overflows the stack. */
export function userMessage(message: string): string {
  return /Maximum call stack/.test(message) ? 'nested too deeply (thousands of levels)' : message;
}

function isSafeString(v: unknown): boolean {
  // `| safe` wraps a string in nunjucks' SafeString (its prototype chain, not its constructor name, says so)
  return v instanceof (nunjucks as unknown as { runtime: { SafeString: new (...a: never[]) => object } }).runtime.SafeString;
}
