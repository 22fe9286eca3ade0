/**
 * fast-check generator of whole states for the converge-then-plan property: files, lines,
 * directories and guarded commands on a small pool of paths, so that several resources often
 * share one path (the stale-probe bug of issue 8), with require/before relations, a starting
 * host state, and what the engine must make of it (refuse, converge, or report a fight).
 */
import fc from 'fast-check';
import { shq } from '../../src/shell.js';

const FILES = ['a.conf', 'b.conf', 'sub/c.conf'];
const DIRS = ['sub', 'd2'];
const KEYS = ['alpha', 'beta', 'gamma', 'delta'];

interface Line {
  key: string;
  value: string;
  match: boolean;
  absent: boolean;
}

type Shape =
  | { kind: 'none' }
  | { kind: 'whole'; content: string; mode?: string }
  | { kind: 'composed'; mode?: string; attrs: boolean; lines: Line[] }
  | { kind: 'conflict'; lines: Line[] };

interface Command {
  guard: 'creates' | 'unless' | 'onlyif';
  marker: number;
}

/** One resource before rendering: its YAML lines (under `- `) and whether relations may point at it. */
interface Item {
  id: string;
  yaml: string[];
  order: number;
}

export interface GenCase {
  /** states/main.yaml; paths under `{{ root }}`. */
  state: string;
  /** sh script that makes the starting host state under `root` (run before the converge). */
  setup(root: string): string;
  /** Two resources own one path in a way that cannot compose: compile must refuse the state. */
  conflict: boolean;
  /** Two lines on one file may disagree: converge may fail them with "undone by". */
  mayFight: boolean;
  /** Some path is managed by more than one resource. */
  shared: boolean;
  /** Guard marker file -> ids of the commands that create it (each must run once in all, or never if it existed). */
  markers: Map<string, string[]>;
  /** Marker files that exist before the converge. */
  preexisting: string[];
}

const line = (absent: boolean): fc.Arbitrary<Line> =>
  fc.record({ key: fc.constantFrom(...KEYS), value: fc.constantFrom('1', '2'), match: fc.boolean(), absent: fc.constant(absent) });

const lineArb: fc.Arbitrary<Line> = fc.oneof({ weight: 5, arbitrary: line(false) }, { weight: 1, arbitrary: line(true) });

const mode = fc.option(fc.constantFrom('0600', '0640', '0644'), { nil: undefined });

const shape: fc.Arbitrary<Shape> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: 'none' as const }) },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('whole' as const), content: fc.constantFrom('', 'one\n', 'alpha=9\nbeta=1\n'), mode }),
  },
  {
    weight: 10,
    arbitrary: fc.record({ kind: fc.constant('composed' as const), attrs: fc.boolean(), mode, lines: fc.array(lineArb, { minLength: 1, maxLength: 3 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('conflict' as const), lines: fc.array(lineArb, { minLength: 1, maxLength: 2 }) }) },
);

const initial = fc.constantFrom<string | null>(null, '', 'alpha=0\nkeep=1\n', 'beta=2\nalpha=0\n');

const command: fc.Arbitrary<Command> = fc.record({ guard: fc.constantFrom('creates', 'unless', 'onlyif'), marker: fc.nat(1) });

const relation = fc.option(fc.record({ kind: fc.constantFrom('require', 'before'), pick: fc.nat(50) }), { nil: undefined });

const q = (s: string) => JSON.stringify(s);

function lineYaml(path: string, l: Line): string[] {
  const out = [`line: ${q(`{{ root }}/${path}`)}`, `text: ${q(`${l.key}=${l.value}`)}`];
  if (l.match) out.push(`match: ${q(`^${l.key}=`)}`);
  out.push(l.absent ? 'state: absent' : 'create: true');
  return out;
}

/** Lines on one file disagree when two of them speak of one key and want different things. */
function linesMayFight(lines: Line[]): boolean {
  return lines.some((a, i) => lines.slice(i + 1).some((b) => a.key === b.key && (a.value !== b.value || a.absent !== b.absent)));
}

export const genCase: fc.Arbitrary<GenCase> = fc
  .record({
    shapes: fc.tuple(...FILES.map(() => shape)),
    initial: fc.tuple(...FILES.map(() => initial)),
    dirs: fc.tuple(...DIRS.map(() => fc.option(fc.constantFrom('0755', '0750', '0700'), { nil: undefined }))),
    commands: fc.array(command, { maxLength: 3 }),
    preexisting: fc.subarray(['creates0', 'unless1', 'onlyif0']),
    orders: fc.array(fc.nat(1000), { minLength: 20, maxLength: 20 }),
    relations: fc.array(relation, { minLength: 20, maxLength: 20 }),
  })
  .map((g) => {
    const items: Item[] = [];
    let n = 0;
    const add = (yaml: string[], explicitId = true) => {
      const id = explicitId ? `r${n}` : '';
      items.push({ id, yaml: explicitId ? [yaml[0], `id: ${id}`, ...yaml.slice(1)] : yaml, order: g.orders[n % 20] });
      n++;
    };
    let conflict = false;
    let mayFight = false;
    let shared = false;
    FILES.forEach((path, i) => {
      const s = g.shapes[i];
      const file = `file: ${q(`{{ root }}/${path}`)}`;
      if (s.kind === 'whole') add([file, `content: ${q(s.content)}`, ...(s.mode ? [`mode: ${q(s.mode)}`] : [])]);
      if (s.kind === 'composed') {
        if (s.attrs) add([file, ...(s.mode ? [`mode: ${q(s.mode)}`] : [])]);
        s.lines.forEach((l) => add(lineYaml(path, l)));
        mayFight ||= linesMayFight(s.lines);
        shared ||= s.lines.length + (s.attrs ? 1 : 0) > 1;
      }
      if (s.kind === 'conflict') {
        add([file, `content: ${q('whole\n')}`]);
        s.lines.forEach((l) => add(lineYaml(path, l)));
        conflict = true;
        shared = true;
      }
    });
    const markers = new Map<string, string[]>();
    g.commands.forEach((c) => {
      const marker = `${c.guard}${c.marker}`;
      const id = `r${n}`;
      const touch = `echo ${id} >> {{ root }}/cmdlog; touch {{ root }}/${marker}`;
      const guard =
        c.guard === 'creates'
          ? `creates: ${q(`{{ root }}/${marker}`)}`
          : c.guard === 'unless'
            ? `unless: ${q(`test -e {{ root }}/${marker}`)}`
            : `onlyif: ${q(`test ! -e {{ root }}/${marker}`)}`;
      markers.set(marker, [...(markers.get(marker) ?? []), id]);
      add([`command: ${q(`cmd-${n}`)}`, `run: ${q(touch)}`, guard]);
    });
    // Declaration order is shuffled; directories come first so that relations never fight the
    // automatic edge from a file to its directory.
    items.sort((a, b) => a.order - b.order);
    const dirItems: Item[] = [];
    DIRS.forEach((d, i) => {
      const m = g.dirs[i];
      if (m !== undefined) dirItems.push({ id: `directory:{{ root }}/${d}`, yaml: [`directory: ${q(`{{ root }}/${d}`)}`, `mode: ${q(m)}`], order: -1 });
    });
    const all = [...dirItems, ...items];
    const body = all.map((it, i) => {
      const rel = g.relations[i % 20];
      const yaml = [...it.yaml];
      if (rel && i >= dirItems.length) {
        // require something declared earlier, or come before something declared later: acyclic
        const earlier = all.slice(0, i);
        const later = all.slice(i + 1);
        if (rel.kind === 'require' && earlier.length) yaml.push(`require: [${q(earlier[rel.pick % earlier.length].id)}]`);
        if (rel.kind === 'before' && later.length) yaml.push(`before: [${q(later[rel.pick % later.length].id)}]`);
      }
      return `  - ${yaml.join('\n    ')}\n`;
    });
    const state = `resources:\n${body.join('')}`;
    const preexisting = g.preexisting.filter((m) => markers.has(m));
    const setup = (root: string) => {
      const cmds = [`rm -rf ${shq(root)}`, `mkdir -p ${shq(`${root}/sub`)}`];
      FILES.forEach((path, i) => {
        const text = g.initial[i];
        if (text !== null) cmds.push(`printf %s ${shq(text)} > ${shq(`${root}/${path}`)}`, `chmod 0644 ${shq(`${root}/${path}`)}`);
      });
      for (const m of preexisting) cmds.push(`touch ${shq(`${root}/${m}`)}`);
      return cmds.join(' && ');
    };
    return { state, setup, conflict, mayFight, shared, markers, preexisting };
  });
