/** The bench's figures: every sample kept per series, medians, and the markdown table. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ToolRun } from './tools.js';

export type SeriesName =
  | 'first:keel' | 'first:ansible'
  | 'noop:keel' | 'noop:ansible'
  | 'plan:keel' | 'plan:floor'
  | 'drift:keel' | 'drift:ansible';

export interface Point {
  wallMs: number;
  cpuMs: number;
  peakPssMiB: number;
  maxRssMiB: number;
  /** first converge: seconds of apt transactions on the hosts (median of the hosts). */
  aptS?: number;
  /** keel: round trips of each host in this run. */
  roundTrips?: (number | undefined)[];
}

export class Results {
  readonly series = new Map<SeriesName, Point[]>();

  /** `outDir`: where each run's output (keel's --json report, Ansible's text) is kept. */
  constructor(private readonly outDir: string) {
    mkdirSync(outDir, { recursive: true });
  }

  add(name: SeriesName, r: ToolRun, aptPerHost?: number[]): void {
    const { wallMs, cpuMs, peakPssMiB, maxRssMiB } = r.sample;
    const p: Point = { wallMs, cpuMs, peakPssMiB, maxRssMiB };
    if (aptPerHost) p.aptS = median(aptPerHost);
    if (r.roundTrips) p.roundTrips = [...r.roundTrips.values()];
    this.series.set(name, [...(this.series.get(name) ?? []), p]);
    const n = this.series.get(name)!.length;
    writeFileSync(join(this.outDir, `${name.replace(':', '-')}-${n}.out`), r.sample.stdout + r.sample.stderr);
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    process.stderr.write(`bench: ${name}: wall ${s(p.wallMs)}, cpu ${s(p.cpuMs)}, max RSS ${p.maxRssMiB.toFixed(0)} MiB, peak tree PSS ${p.peakPssMiB.toFixed(0)} MiB\n`);
  }
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const sec = (ms: number) => (ms >= 10_000 ? (ms / 1000).toFixed(1) : (ms / 1000).toFixed(2));

function med(r: Results, name: SeriesName, f: (p: Point) => number): number {
  const pts = r.series.get(name) ?? [];
  return pts.length ? median(pts.map(f)) : NaN;
}

function roundTrips(r: Results, name: SeriesName): string {
  const all = (r.series.get(name) ?? []).flatMap((p) => p.roundTrips ?? []);
  if (all.length === 0 || all.some((x) => x === undefined)) return 'not reported';
  const xs = all as number[];
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return lo === hi ? String(lo) : `${lo}-${hi}`;
}

interface Row {
  label: string;
  keel: SeriesName;
  other: SeriesName;
  otherLabel: string;
  /** true: the other is the floor (ratio keel/floor); false: a rival (ratio rival/keel). */
  floor: boolean;
}

const ROWS: Row[] = [
  { label: 'first converge, fresh hosts', keel: 'first:keel', other: 'first:ansible', otherLabel: 'ansible-playbook', floor: false },
  { label: 'no-op converge', keel: 'noop:keel', other: 'noop:ansible', otherLabel: 'ansible-playbook', floor: false },
  { label: 'plan, drift on half the hosts', keel: 'drift:keel', other: 'drift:ansible', otherLabel: 'ansible-playbook --check --diff', floor: false },
  { label: 'plan, in sync', keel: 'plan:keel', other: 'plan:floor', otherLabel: 'floor (ssh2 + 1 script)', floor: true },
];

const ratio = (row: Row, keel: number, other: number) =>
  row.floor ? `keel ${(keel / other).toFixed(2)}x the floor` : `keel ${(other / keel).toFixed(1)}x faster`;

const mem = (r: Results, name: SeriesName) =>
  `${med(r, name, (p) => p.maxRssMiB).toFixed(0)} / ${med(r, name, (p) => p.peakPssMiB).toFixed(0)}`;

/**
 * The markdown table: medians; wall and CPU in seconds; memory in MiB as "largest process's
 * maximum RSS / peak PSS of the whole process tree".
 */
export function markdownTable(r: Results): string {
  const lines = [
    '| measurement | runs | keel wall | other | other wall | wall | keel CPU | other CPU | CPU | keel memory | other memory | keel round trips/host |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const row of ROWS) {
    const kw = med(r, row.keel, (p) => p.wallMs);
    const ow = med(r, row.other, (p) => p.wallMs);
    const n = Math.min(r.series.get(row.keel)?.length ?? 0, r.series.get(row.other)?.length ?? 0);
    const kc = med(r, row.keel, (p) => p.cpuMs);
    const oc = med(r, row.other, (p) => p.cpuMs);
    lines.push(
      `| ${row.label} | ${n} | ${sec(kw)} | ${row.otherLabel} | ${sec(ow)} | ${ratio(row, kw, ow)} | ` +
        `${sec(kc)} | ${sec(oc)} | ${ratio(row, kc, oc)} | ` +
        `${mem(r, row.keel)} | ${mem(r, row.other)} | ` +
        `${roundTrips(r, row.keel)} |`,
    );
  }
  const apt = (name: SeriesName) => med(r, name, (p) => p.aptS ?? NaN).toFixed(0);
  lines.push(
    '',
    `Of the first converge, apt transactions on the hosts (apt's history.log, median of hosts and runs): ` +
      `keel ${apt('first:keel')} s, Ansible ${apt('first:ansible')} s.`,
  );
  return lines.join('\n');
}

/** Every sample, for the record beside the table. */
export function rawSamples(r: Results): Record<string, Point[]> {
  return Object.fromEntries(r.series);
}
