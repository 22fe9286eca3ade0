/** Variables: `--var k=v` parsing and the merge used for every precedence level. */
import { parse } from 'yaml';
import { ConfigError } from '../errors.js';

export type Vars = Record<string, unknown>;

export function isPlainObject(v: unknown): v is Vars {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Mappings merge key by key (recursively); any other value replaces the lower level's. */
export function mergeVars(...levels: (Vars | null | undefined)[]): Vars {
  const out: Vars = {};
  for (const level of levels) {
    if (!level) continue;
    for (const [k, v] of Object.entries(level)) {
      out[k] = isPlainObject(v) && isPlainObject(out[k]) ? mergeVars(out[k] as Vars, v) : clone(v);
    }
  }
  return out;
}

function clone(v: unknown): unknown {
  // a frozen value (the host's facts) cannot be changed through a share: no copy needed
  if (Object.isFrozen(v)) return v;
  if (Array.isArray(v)) return v.map(clone);
  if (isPlainObject(v)) return mergeVars(v);
  return v;
}

/**
 * `--var port=80` -> {port: 80}; `--var a.b=x` -> {a: {b: 'x'}}. The value is read as a YAML
 * scalar (numbers, booleans, null); `[..]`/`{..}` as YAML flow collections; an empty value is ''.
 */
export function parseVarArgs(list: readonly string[]): Vars {
  let out: Vars = {};
  for (const arg of list) {
    const eq = arg.indexOf('=');
    const key = eq < 0 ? '' : arg.slice(0, eq).trim();
    const path = key.split('.');
    if (eq < 0 || path.some((p) => p === '')) {
      throw new ConfigError(`--var expects key=value, got '${arg}'`, { hint: 'e.g. --var port=8080 or --var app.root=/srv/app' });
    }
    let value: unknown = parseValue(arg.slice(eq + 1));
    for (const seg of path.reverse()) value = { [seg]: value };
    out = mergeVars(out, value as Vars);
  }
  return out;
}

function parseValue(text: string): unknown {
  if (text.trim() === '') return text;
  try {
    const v: unknown = parse(text);
    const collection = /^\s*[[{]/.test(text);
    if (typeof v === 'object' && v !== null && !collection) return text; // "a: b" stays a string
    return v === undefined ? text : v;
  } catch {
    return text;
  }
}
