/**
 * `npm run bench -- --startup [--runs N]`: the controller's start-up beside a bare `node -e 0`,
 * each command run N times, the commands alternating within every round (so a busy moment costs
 * each of them alike), wall-clock medians and their ratio to node's. Runs the built keel
 * (bin/keel.js -> dist/, `npm run build` first) on the repository's example inventory.yaml.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { BenchOptions } from './index.js';

const REPO = join(import.meta.dirname, '..');
const KEEL = join(REPO, 'bin', 'keel.js');

interface Case {
  name: string;
  args: string[];
  /** The target, as a multiple of `node -e 0`. */
  target?: number;
  /** Each run with an empty validator cache: what the first run after a change of a bundle's params costs. */
  coldCache?: boolean;
}

const CASES: Case[] = [
  { name: 'node -e 0', args: ['-e', '0'] },
  { name: 'keel --help', args: [KEEL, '--help'], target: 2 },
  { name: 'keel validate', args: [KEEL, 'validate'], target: 5 },
  { name: 'keel validate, empty validator cache', args: [KEEL, 'validate'], coldCache: true },
  { name: 'keel graph', args: [KEEL, 'graph'] },
];

export interface StartupRow {
  name: string;
  medianSeconds: number;
  ratio: number;
  target?: number;
}

function once(c: Case): number {
  // the validators compiled at run time live in the example's state directory (.keel/cache)
  if (c.coldCache) rmSync(join(REPO, '.keel', 'cache'), { recursive: true, force: true });
  const env = process.env;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, c.args, { cwd: REPO, env, stdio: ['ignore', 'ignore', 'pipe'] });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${c.name} exited ${r.status}: ${r.stderr.toString()}`);
  return seconds;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Medians of `runs` alternating rounds (one warm-up round first, not counted). */
export function measureStartup(runs: number): StartupRow[] {
  for (const c of CASES) once(c);
  const times = CASES.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) CASES.forEach((c, j) => times[j].push(once(c)));
  const base = median(times[0]);
  return CASES.map((c, j) => ({ name: c.name, medianSeconds: median(times[j]), ratio: median(times[j]) / base, target: c.target }));
}

export function startupTable(rows: StartupRow[], runs: number): string {
  const lines = [
    `| command (median of ${runs}, alternating) | wall s | x node -e 0 | target |`,
    '| --- | --- | --- | --- |',
    ...rows.map((r) => {
      const target = r.target === undefined ? '' : `<= ${r.target}x ${r.ratio <= r.target ? 'met' : 'NOT met'}`;
      return `| \`${r.name}\` | ${r.medianSeconds.toFixed(3)} | ${r.ratio.toFixed(2)} | ${target} |`;
    }),
  ];
  return lines.join('\n') + '\n';
}

export async function run(opts: BenchOptions): Promise<void> {
  if (!existsSync(join(REPO, 'dist', 'keel.js'))) throw new Error('bench --startup measures the built keel: npm run build first');
  const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');
  const before = load();
  const rows = measureStartup(opts.runs);
  process.stdout.write(startupTable(rows, opts.runs));
  // a loaded machine slows node -e 0 too, and the ratios shrink: say how busy it was
  process.stdout.write(`\nnode ${process.version}, ${cpus().length} cores, load average ${before} before, ${load()} after\n`);
}
