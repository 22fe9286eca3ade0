/**
 * Where keel plan's controller CPU goes (`npm run bench -- --profile [--hosts N] [--runs R]`, by
 * hand, as root): `keel plan` of N lab hosts (bench/fixtures, 33 resources each) run from source
 * under `node --cpu-prof` R times after a warm-up, and the samples' self time split by area: each
 * src/ folder and modules/, each library in node_modules, Node's own modules, the garbage
 * collector, and tsx's transform (which the built bundle does not pay). Prints the table; the
 * profiles stay in .keel/profile/ (open one in Chrome's DevTools).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchOptions } from './index.js';
import { benchLab, benchLabUp, repo } from './workdir.js';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string } }[];
  samples: number[];
  timeDeltas: number[];
}

/** The area a sampled function belongs to. */
export function areaOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  if (url.startsWith('node:')) return `node:${url.slice(5).replace(/^internal\//, '').split('/')[0]}`;
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + 14).split('/');
    const pkg = parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
    return pkg === 'tsx' || pkg === 'esbuild' || pkg === 'get-tsconfig' ? 'tsx (source runs only)' : pkg;
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
    const area = new Map(p.nodes.map((n) => [n.id, areaOf(n.callFrame.url, n.callFrame.functionName)]));
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
  const tsx = pathToFileURL(createRequire(join(repo, 'package.json')).resolve('tsx')).href;
  const plan = (prof: boolean) =>
    execFileSync(process.execPath, [...(prof ? ['--cpu-prof', '--cpu-prof-dir', dir] : []), '--import', tsx, join(repo, 'src', 'cli', 'main.ts'), 'plan', '-i', work.inventory, '--json', '--quiet', '--forks', String(Math.max(20, opts.hosts))], {
      cwd: repo,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  try {
    plan(false);
  } catch {
    /* drift: exit 2 */
  }
  for (let i = 0; i < opts.runs; i++) {
    try {
      plan(true);
    } catch {
      /* exit 2 */
    }
  }
  const profiles = readdirSync(dir).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile);
  const split = splitProfiles(profiles);
  const idle = split.get('(idle)') ?? 0;
  split.delete('(idle)');
  const busy = [...split.values()].reduce((a, b) => a + b, 0);
  const per = (ms: number) => (ms / profiles.length).toFixed(0);
  console.log(`\nkeel plan of ${opts.hosts} hosts from source, ${profiles.length} profiled runs: busy ${per(busy)} ms per run (${(busy / profiles.length / opts.hosts).toFixed(1)} ms per host), idle ${per(idle)} ms\n`);
  console.log('| area | ms per run | share of busy |');
  console.log('|---|---|---|');
  for (const [a, ms] of [...split.entries()].sort((x, y) => y[1] - x[1])) {
    if (ms / busy < 0.005) continue;
    console.log(`| ${a} | ${per(ms)} | ${((100 * ms) / busy).toFixed(1)}% |`);
  }
}
