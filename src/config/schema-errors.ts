/**
 * Turn ajv errors into one clear ConfigError each, at the YAML node at fault:
 * the value (wrong type, pattern, enum), the key (unknown key) or the mapping (missing key).
 */
import type { ErrorObject } from 'ajv';
import type { Node } from 'yaml';
import { ConfigError, type SourcePos } from '../errors.js';
import { describeValue, nodeAt, pathString, posOf, type PathSeg, type YamlSource } from './source.js';
import { closestMatch, didYouMean } from './suggest.js';

export interface SchemaErrorContext {
  /** The YAML the data came from; without one (JSON an inventory script printed) `position` says where. */
  source?: YamlSource;
  /** The node holding the validated value. */
  root?: Node | null;
  /** Where a path is in data with no YAML source: the position carries the path, so messages do not repeat it. */
  position?(path: PathSeg[]): SourcePos;
  /** Where `root` sits in its file, for messages: `['resources', 2]`. */
  basePath: PathSeg[];
  /** The validated value (after rendering: it may differ from the YAML text). */
  data: unknown;
  /** Who owns the keys at `path`: `file` (a module kind), `host web1`, `defaults`. */
  subject(path: PathSeg[]): string;
  /** Map a data path to a node elsewhere (a resource's `name` lives under its type key). */
  locate?(path: PathSeg[]): { node: Node | null; path: PathSeg[] } | undefined;
}

type Schema = Record<string, unknown>;

export function schemaErrors(errors: readonly ErrorObject[], ctx: SchemaErrorContext): ConfigError[] {
  const groups = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const misspelt = misspeltRequired(errors);
  const kept = errors.filter(
    (e) =>
      e.keyword !== 'if' &&
      !groups.some((g) => g !== e && e.schemaPath.startsWith(`${g.schemaPath}/`)) &&
      !(e.keyword === 'required' && misspelt.has(requiredKey(e.instancePath, missingProperty(e)))),
  );
  return kept.map((e) => toConfigError(e, ctx, errors));
}

/**
 * A misspelt required key (`server_nam` for `server_name`) is one mistake: the unknown key's
 * did-you-mean already names the missing key, so its "missing required key" is not said again.
 */
function misspeltRequired(errors: readonly ErrorObject[]): Set<string> {
  const out = new Set<string>();
  for (const e of errors) {
    if (e.keyword !== 'additionalProperties') continue;
    const meant = closestMatch(unknownKey(e), knownKeys(e));
    if (meant !== undefined) out.add(requiredKey(e.instancePath, meant));
  }
  return out;
}

const requiredKey = (instancePath: string, key: string) => `${instancePath}\u0000${key}`;
const unknownKey = (e: ErrorObject) => String((e.params as { additionalProperty: string }).additionalProperty);
const missingProperty = (e: ErrorObject) => String((e.params as { missingProperty: string }).missingProperty);
const knownKeys = (e: ErrorObject) => Object.keys(((e.parentSchema ?? {}) as Schema).properties ?? {});

function toConfigError(e: ErrorObject, ctx: SchemaErrorContext, all: readonly ErrorObject[]): ConfigError {
  const path = dataPath(e.instancePath, ctx.data);
  const parent = (e.parentSchema ?? {}) as Schema;
  const found = describeValue(e.data);
  const at = (p: PathSeg[], useKey = false): { pos?: SourcePos; shown: string } => {
    if (!ctx.source) return { pos: ctx.position?.([...ctx.basePath, ...p]), shown: '' };
    const custom = ctx.locate?.(p);
    if (custom) return { pos: posOf(ctx.source, custom.node), shown: pathString(custom.path) };
    const loc = nodeAt(ctx.source, ctx.root ?? null, p);
    const node = useKey && loc.complete ? loc.key ?? loc.node : loc.node;
    return { pos: posOf(ctx.source, node), shown: pathString([...ctx.basePath, ...p]) };
  };

  switch (e.keyword) {
    case 'additionalProperties': {
      const key = unknownKey(e);
      const { pos } = at([...path, key], true);
      return new ConfigError(`unknown key '${key}' for ${ctx.subject(path)}${didYouMean(key, knownKeys(e), ': ')}`, { pos });
    }
    case 'required': {
      const key = missingProperty(e);
      return new ConfigError(`missing required key '${key}' for ${ctx.subject(path)}`, { pos: at(path).pos });
    }
    case 'false schema': {
      // a key that an if/then forbids: `then: {properties: {source: false}}` when `content` is given
      const key = String(path[path.length - 1] ?? '');
      const others = excludedBy(e, all).filter((k) => k !== key);
      const { pos } = at(path, true);
      const subject = ctx.subject(path.slice(0, -1));
      const why = others.length ? ` together with '${others.join("', '")}' for ${subject}: they exclude each other` : ` for ${subject}`;
      return new ConfigError(`'${key}' cannot be given${why}`, {
        pos,
        hint: others.length ? `keep one of '${key}' and '${others.join("', '")}'` : undefined,
      });
    }
    default: {
      const { pos, shown } = at(path);
      const prefix = shown ? `${shown}: ` : '';
      return new ConfigError(`${prefix}${expectation(e, parent)}, found ${found}`, { pos });
    }
  }
}

function expectation(e: ErrorObject, parent: Schema): string {
  switch (e.keyword) {
    case 'type':
    case 'pattern':
    case 'enum':
    case 'const':
      return `expected ${describeSchema(parent)}`;
    case 'anyOf':
    case 'oneOf': {
      const branches = (parent[e.keyword] as Schema[] | undefined) ?? [];
      return `expected ${branches.map(describeSchema).join(' or ')}`;
    }
    default:
      // ajv says "must be >= 1", "must NOT have more than 3 characters"
      return `expected a value that ${(e.message ?? 'must be valid').replace(/^must be /, 'is ').replace(/^must /, 'does ')}`;
  }
}

/** The keys whose presence (an `if: {required: [...]}` beside the failing `then`) forbade e's key. */
function excludedBy(e: ErrorObject, all: readonly ErrorObject[]): string[] {
  const cond = all.find((x) => x.keyword === 'if' && e.schemaPath.startsWith(x.schemaPath.replace(/\/if$/, '/then/')));
  const ifSchema = ((cond?.parentSchema ?? {}) as Schema).if as Schema | undefined;
  return Array.isArray(ifSchema?.required) ? (ifSchema.required as string[]) : [];
}

/** `string matching ^a$` (or the pattern's `title`), `one of present, absent`, `list of string`, `integer`. */
export function describeSchema(s: Schema): string {
  if (Array.isArray(s.enum)) return `one of ${s.enum.map((v) => String(v)).join(', ')}`;
  if ('const' in s) return JSON.stringify(s.const);
  const types = Array.isArray(s.type) ? (s.type as string[]) : s.type ? [s.type as string] : [];
  if (types.length === 0 && Array.isArray(s.anyOf)) return (s.anyOf as Schema[]).map(describeSchema).join(' or ');
  const shown = types.map((t) => {
    if (t === 'array') return s.items ? `list of ${describeSchema(s.items as Schema)}` : 'list';
    if (t === 'object') return 'mapping';
    if (t === 'string' && typeof s.pattern === 'string') return typeof s.title === 'string' ? s.title : `string matching ${s.pattern}`;
    return t;
  });
  return shown.length ? shown.join(' or ') : 'a valid value';
}

/** `/env/PATH` -> ['env', 'PATH']; numeric segments become indexes where the data is a list. */
function dataPath(pointer: string, data: unknown): PathSeg[] {
  if (!pointer) return [];
  const out: PathSeg[] = [];
  let cur: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur) && /^\d+$/.test(seg)) {
      out.push(Number(seg));
      cur = cur[Number(seg)];
    } else {
      out.push(seg);
      cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}
