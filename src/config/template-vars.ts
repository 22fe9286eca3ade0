/**
 * Static analysis of a nunjucks template: which variable paths it reads, and where.
 * nunjucks' own throwOnUndefined neither names the variable nor catches `{% if x %}`;
 * this walk lets keel say "undefined variable 'server_name'" at its exact column.
 */
import nunjucks from 'nunjucks';

export interface VarUse {
  /** `['app', 'root']` for `app.root` and `app["root"]`. */
  path: string[];
  /** 0-based line and column of the variable inside the template text. */
  line: number;
  col: number;
}

/** A node of nunjucks' parse tree (not in @types/nunjucks). */
export interface NjNode {
  typename: string;
  fields: string[];
  lineno: number;
  colno: number;
  value?: unknown;
  [field: string]: unknown;
}

const parser = (nunjucks as unknown as { parser: { parse(src: string): NjNode } }).parser;

/** Names nunjucks provides itself. */
const GLOBALS = new Set(['range', 'cycler', 'joiner', 'loop', 'caller', 'super', 'true', 'false', 'none', 'env']);
/** Tests that make reading an undefined variable legitimate: `x is defined`. */
const GUARD_TESTS = new Set(['defined', 'undefined', 'none', 'null']);
/** Filters whose first argument may be undefined: `x | default("a")`. */
const GUARD_FILTERS = new Set(['default', 'd']);

/** Throws nunjucks' TemplateError (with 1-based lineno/colno) on a syntax error. */
export function templateVarUses(text: string): VarUse[] {
  const root = parser.parse(text);
  const bound = new Set<string>(GLOBALS);
  const guarded = new Set<string>();
  scan(root, bound, guarded);
  const uses: VarUse[] = [];
  collect(root, uses);
  return uses.filter((u) => !bound.has(u.path[0]) && !guarded.has(u.path[0]));
}

function isNode(v: unknown): v is NjNode {
  return typeof v === 'object' && v !== null && typeof (v as NjNode).typename === 'string';
}

function children(n: NjNode, skip: readonly string[] = []): NjNode[] {
  const out: NjNode[] = [];
  for (const f of n.fields) {
    if (skip.includes(f)) continue;
    const v = n[f];
    if (Array.isArray(v)) out.push(...v.filter(isNode));
    else if (isNode(v)) out.push(v);
  }
  return out;
}

function symbolNames(n: unknown): string[] {
  if (!isNode(n)) return [];
  if (n.typename === 'Symbol') return [String(n.value)];
  return children(n).flatMap(symbolNames);
}

/** First pass: names bound inside the template (loop variables, set, macros) and guarded names. */
function scan(n: NjNode, bound: Set<string>, guarded: Set<string>): void {
  switch (n.typename) {
    case 'For':
    case 'AsyncEach':
    case 'AsyncAll':
      symbolNames(n.name).forEach((s) => bound.add(s));
      break;
    case 'Set':
      symbolNames({ typename: 'NodeList', fields: ['children'], children: n.targets } as unknown).forEach((s) =>
        bound.add(s),
      );
      break;
    case 'Macro':
    case 'Caller':
      symbolNames(n.name).forEach((s) => bound.add(s));
      symbolNames(n.args).forEach((s) => bound.add(s));
      break;
    case 'Import':
    case 'FromImport':
      symbolNames(n.target).forEach((s) => bound.add(s));
      symbolNames(n.names).forEach((s) => bound.add(s));
      break;
    case 'Is':
      if (isNode(n.right) && GUARD_TESTS.has(String(n.right.value))) rootOf(n.left, guarded);
      break;
    case 'Filter':
      if (isNode(n.name) && GUARD_FILTERS.has(String(n.name.value)) && isNode(n.args)) {
        rootOf((n.args.children as NjNode[] | undefined)?.[0], guarded);
      }
      break;
  }
  for (const c of children(n)) scan(c, bound, guarded);
}

function rootOf(n: unknown, into: Set<string>): void {
  let cur = n;
  while (isNode(cur) && cur.typename === 'LookupVal') cur = cur.target;
  if (isNode(cur) && cur.typename === 'Symbol') into.add(String(cur.value));
}

/** Second pass: every variable path read, with its position. */
function collect(n: NjNode, uses: VarUse[]): void {
  switch (n.typename) {
    case 'Symbol':
      uses.push({ path: [String(n.value)], line: n.lineno, col: n.colno });
      return;
    case 'LookupVal': {
      const segs: string[] = [];
      let cur: unknown = n;
      while (isNode(cur) && cur.typename === 'LookupVal' && isNode(cur.val) && cur.val.typename === 'Literal') {
        segs.unshift(String(cur.val.value));
        cur = cur.target;
      }
      if (isNode(cur) && cur.typename === 'Symbol') {
        uses.push({ path: [String(cur.value), ...segs], line: cur.lineno, col: cur.colno });
      } else if (isNode(cur) && cur.typename === 'LookupVal') {
        // a computed key (`ports[item]`): the lookup's target and its key are both reads
        collect(cur.target as NjNode, uses);
        if (isNode(cur.val)) collect(cur.val, uses);
      } else if (isNode(cur)) {
        collect(cur, uses);
      }
      return;
    }
    case 'Filter':
      for (const c of children(n, ['name'])) collect(c, uses);
      return;
    case 'Is':
      for (const c of children(n, ['right'])) collect(c, uses);
      return;
    case 'Pair':
      for (const c of children(n, ['key'])) collect(c, uses);
      return;
    case 'For':
    case 'AsyncEach':
    case 'AsyncAll':
      for (const c of children(n, ['name'])) collect(c, uses);
      return;
    case 'Set':
      for (const c of children(n, ['targets'])) collect(c, uses);
      return;
    case 'Macro':
    case 'Caller':
      for (const c of children(n, ['name', 'args'])) collect(c, uses);
      return;
    case 'Import':
    case 'FromImport':
      return;
    default:
      for (const c of children(n)) collect(c, uses);
  }
}
