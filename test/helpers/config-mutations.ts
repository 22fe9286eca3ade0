/**
 * fast-check arbitraries that break a real keel project: the example inventory and states,
 * mutated at the YAML level (a value replaced by a wrong type, a huge or hostile string, a deep
 * nesting, a bad template; a key removed or added) and at the text level (snippets inserted:
 * aliases, tabs, NUL, duplicate keys, unbalanced brackets; lines duplicated, cut, re-indented).
 */
import fc from 'fast-check';
import { isMap, isScalar, isSeq, parseDocument, visit } from 'yaml';

/** Text no sane state file contains, each aimed at one way a loader can break. */
const SNIPPETS = [
  '\0', '\t', '\r', '\r\n', '\uFEFF', '\u202E', '\u0085', '\uD800', '\\', '"', "'", '[', ']', '{', '}', ': ', ':', '- ', '#', '|', '>',
  '&a ', '*a', '*nope', '<<: *a\n', '&x [*x]', '&y {k: *y}', 'k: &z\n  - *z\n', '!!binary aGk=', '!!js/function "f"', '!!set {a}', '!!timestamp 2001-01-01', '? [a, b]\n: c\n',
  '{{', '}}', '{%', '%}', '{{ range }}', '{{ cycler }}', '{{ joiner }}', '"{{ range }}"', '"{{ cycler(1, 2) }}"', '"{{ nope }}"', '"{{ app_name | nofilter }}"',
  '"{% for x in %}"', '"{{ app_name.upper }}"', '"{{ 1 / 0 }}"', '"{{ [1, [2, {a: range}]] }}"', '"{{ x.y.z }}"', '"{% include \'../../etc/passwd\' %}"',
  '- fiel: /x\n', '- nosuchmodule: x\n', '- file: /etc/x\n  require: [file:/etc/x]\n', '- command: a\n  run: "true"\n  require: command:a\n',
  '  require: [pkg:nope]\n', '  tags: {a: 1}\n', '  id: 7\n', '  name: x\n', 'include: [nope]\n', 'include: [app]\n', 'states: [nope]\n', 'after: [web]\n',
  'jump: db1\n', 'port: 99999\n', 'connection: telnet\n', 'sensitive_vars: {a: 1}\n', 'vars: [1]\n', 'groups: []\n', 'hosts: ~\n', 'hosts: {}\n',
  '1e400', '-0', '0x1F', '.nan', '~', 'null', 'yes', '2001-01-01', '"\\0"', '"\\x00"', '"\\uFFFF"',
] as const;

const nasty = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...SNIPPETS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('[', '{', '-', ' ', '\n', ':', '&a', '*a'), maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom('['.repeat(300), '- '.repeat(300), 'x'.repeat(5_000), '{a: '.repeat(300)) },
);

/** A value to put where another was: wrong types, edge strings, deep or self-similar data. */
const value: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e300, Number.MAX_SAFE_INTEGER + 2, '', ' ', '-', '-x', 'x ', '\0', 'a\0b', '/a\0b', '\t', '\n', 'é', '🦀', '\u202E', '../x', '/', '//x/../y'),
  fc.constantFrom('{{ range }}', '{{ cycler(1, 2) }}', '{{ nope }}', '{{ app_name | nofilter }}', '{% if %}', '{{', '{{ app_user }}', '{{ [1, 2] }}', '{{ {a: 1} }}'),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('y'.repeat(5_000)),
  fc.array(fc.oneof(fc.string({ maxLength: 5 }), fc.integer()), { maxLength: 4 }),
  fc.dictionary(fc.constantFrom('a', 'name', 'require', 'content', 'hosts', '\0', ''), fc.oneof(fc.string({ maxLength: 5 }), fc.integer()), { maxKeys: 3 }),
  fc.integer({ min: 20, max: 200 }).map(nested),
);

function nested(depth: number): unknown {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { k: v };
  return v;
}

export type Mutation =
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'duplicate-line'; at: number }
  | { kind: 'tab-indent'; at: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'set'; at: number; value: unknown }
  | { kind: 'remove'; at: number }
  | { kind: 'add-key'; at: number; key: string; value: unknown };

const frac = fc.integer({ min: 0, max: 999_999 }).map((n) => n / 1e6);

export const textMutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: frac, text: nasty }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: frac, length: fc.integer({ min: 1, max: 40 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicate-line' as const), at: frac }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tab-indent' as const), at: frac }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: frac }) },
);

export const yamlMutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('set' as const), at: frac, value }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), at: frac }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('add-key' as const),
      at: frac,
      key: fc.oneof(fc.constantFrom('require', 'watch', 'tags', 'id', 'name', 'user', 'owner', 'mode', 'source', 'include', 'states', 'vars', 'after', 'jump', 'nosuchkey', ''), fc.string({ maxLength: 6 })),
      value,
    }),
  },
);

/** Apply mutations in order; YAML-level ones need the text to parse (else they do nothing). */
export function mutate(text: string, mutations: readonly Mutation[]): string {
  return mutations.reduce(apply, text);
}

function apply(text: string, m: Mutation): string {
  const offset = Math.floor(m.at * (text.length + 1));
  const lines = text.split('\n');
  const line = Math.floor(m.at * lines.length);
  switch (m.kind) {
    case 'insert':
      return text.slice(0, offset) + m.text + text.slice(offset);
    case 'delete':
      return text.slice(0, offset) + text.slice(offset + m.length);
    case 'duplicate-line':
      return [...lines.slice(0, line + 1), lines[line], ...lines.slice(line + 1)].join('\n');
    case 'tab-indent':
      return [...lines.slice(0, line), lines[line].replace(/^ +/, '\t'), ...lines.slice(line + 1)].join('\n');
    case 'truncate':
      return text.slice(0, offset);
    default:
      return applyToDocument(text, m);
  }
}

function applyToDocument(text: string, m: Extract<Mutation, { kind: 'set' | 'remove' | 'add-key' }>): string {
  let doc;
  try {
    doc = parseDocument(text);
  } catch {
    return text; // nested too deeply for the yaml library: the text mutations cover that
  }
  if (doc.errors.length) return text;
  const paths: unknown[][] = [];
  visit(doc, {
    Pair(_k, pair, path) {
      if (isScalar(pair.key)) paths.push([...pathOf(path), pair.key.value]);
    },
    Seq(_k, seq, path) {
      seq.items.forEach((_v, i) => paths.push([...pathOf([...path, seq]), i]));
    },
  });
  if (paths.length === 0) return text;
  const target = paths[Math.floor(m.at * paths.length)];
  try {
    if (m.kind === 'set') doc.setIn(target, doc.createNode(m.value));
    else if (m.kind === 'remove') doc.deleteIn(target);
    else {
      const parent = target.slice(0, -1);
      const node = parent.length ? doc.getIn(parent, true) : doc.contents;
      if (isMap(node)) node.set(m.key, doc.createNode(m.value));
      else if (isSeq(node)) node.add(doc.createNode({ [m.key]: m.value }));
    }
    return String(doc);
  } catch {
    return text; // a path through an alias or a scalar: the yaml library's limit, not keel's
  }
}

/** The keys and indexes of an ancestor chain (as `visit` gives it) in `getIn`/`setIn` form. */
function pathOf(ancestors: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < ancestors.length; i++) {
    const a = ancestors[i];
    const next = ancestors[i + 1];
    if (isSeq(a) && next !== undefined) out.push(a.items.indexOf(next as never));
    else if (a && typeof a === 'object' && 'key' in a && 'value' in a && isScalar((a as { key: unknown }).key)) out.push((a as { key: { value: unknown } }).key.value);
  }
  return out;
}
