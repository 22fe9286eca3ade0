/**
 * Where keel plan's controller CPU goes (`npm run bench -- --profile [--hosts N] [--runs R]`, by
 * hand, as root): the built `keel plan` (bin/keel.js, as users run it) of N lab hosts
 * (bench/fixtures, 33 resources each) under `node --cpu-prof` R times after a warm-up, and the
 * samples' self time split by area: each src/ folder and modules/ (the bundle's functions mapped
 * back to their sources through its source maps), each library in node_modules, Node's own
 * modules, the garbage collector. Prints the table; the profiles stay in .keel/profile/cpu (open
 * one in Chrome's DevTools). KEEL_LAB_KEEP=1 leaves the lab up.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchOptions } from './index.js';
import { benchLab, benchLabDown, benchLabUp, repo } from './workdir.js';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

const maps = new Map<string, SourceMap | undefined>();

/** A function of the bundle (dist/) as the source file it was built from, through the chunk's source map. */
function sourceOf(url: string, line: number, column: number): string {
  if (!url.startsWith('file://') || !url.includes('/dist/')) return url;
  const file = fileURLToPath(url);
  if (!maps.has(file)) maps.set(file, existsSync(`${file}.map`) ? new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8'))) : undefined);
  const entry = maps.get(file)?.findEntry(line, column) as { originalSource?: string } | undefined;
  if (!entry?.originalSource) return url;
  const src = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : resolve(join(file, '..'), entry.originalSource);
  return `file://${src}`;
}

/** The area a sampled function belongs to. */
export function areaOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  if (url.startsWith('node:')) return `node:${url.slice(5).replace(/^internal\//, '').split('/')[0]}`;
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + 14).split('/');
    const pkg = parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
    return pkg;
  }
  const at = url.indexOf(`${repo}/`.replace(/^\//, ''));
  const rel = at >= 0 ? url.slice(at + repo.length) : url;
  const m = /^(src\/[^/]+|modules|lab|bench)\//.exec(rel);
  return m ? m[1]! : 'other';
}

/** Self time (ms) per area over the profiles. */
export function splitProfiles(profiles: CpuProfile[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of profiles) {
    const area = new Map(p.nodes.map((n) => [n.id, areaOf(sourceOf(n.callFrame.url, n.callFrame.lineNumber, n.callFrame.columnNumber), n.callFrame.functionName)]));
    p.samples.forEach((id, i) => {
      const a = area.get(id) ?? 'other';
      out.set(a, (out.get(a) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
    });
  }
  return out;
}

export async function run(opts: BenchOptions): Promise<void> {
  const where = benchLab('profile');
  const work = await benchLabUp(opts.hosts, where);
  const dir = join(where.workDir, 'cpu');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('npm', ['run', 'build'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  const plan = (prof: boolean) =>
    execFileSync(process.execPath, [...(prof ? ['--cpu-prof', '--cpu-prof-dir', dir] : []), join(repo, 'bin', 'keel.js'), 'plan', '-i', work.inventory, '--json', '--quiet', '--forks', String(Math.max(20, opts.hosts))], {
      cwd: repo,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  try {
    for (let i = 0; i <= opts.runs; i++) {
      try {
        plan(i > 0); // the first run warms up, unprofiled
      } catch (e) {
        if ((e as { status?: number }).status !== 2) throw e; // 2: drift, as on fresh hosts
      }
    }
  } finally {
    if (process.env.KEEL_LAB_KEEP !== '1') await benchLabDown(where);
  }
  const profiles = readdirSync(dir).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile);
  if (profiles.length !== opts.runs) throw new Error(`bench: ${profiles.length} profiles for ${opts.runs} runs (a worker thread?)`);
  const split = splitProfiles(profiles);
  const idle = split.get('(idle)') ?? 0;
  split.delete('(idle)');
  const busy = [...split.values()].reduce((a, b) => a + b, 0);
  const per = (ms: number) => (ms / opts.runs).toFixed(0);
  console.log(`\nkeel plan (bin/keel.js) of ${opts.hosts} hosts, ${opts.runs} profiled runs: busy ${per(busy)} ms per run (${(busy / opts.runs / opts.hosts).toFixed(1)} ms per host), idle ${per(idle)} ms\n`);
  console.log('| area | ms per run | share of busy |');
  console.log('|---|---|---|');
  for (const [a, ms] of [...split.entries()].sort((x, y) => y[1] - x[1])) {
    if (ms / busy < 0.005) continue;
    console.log(`| ${a} | ${per(ms)} | ${((100 * ms) / busy).toFixed(1)}% |`);
  }
}
