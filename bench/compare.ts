/**
 * keel beside Ansible and the floor (`npm run bench -- --hosts N --runs R`, by hand, as root).
 * On a lab of its own ('bench'), with the runs of the tools alternating, it measures:
 *   1. first converge on fresh hosts (lab reset before every run), keel vs ansible-playbook,
 *      ceil(R/2) runs each, proving that neither tool rewrites the other's results: right after
 *      Ansible's first converge keel plan finds nothing to change, and the first no-op
 *      ansible-playbook of step 2 runs on hosts that only keel converged and changes nothing;
 *   2. in sync, R runs each: no-op keel converge vs ansible-playbook, and keel plan vs the floor;
 *   3. after hand-made changes on half the hosts, R runs each: keel plan vs ansible-playbook
 *      --check --diff, failing loudly unless both report the same hosts and number of changes.
 * Wall, CPU and peak PSS as bench/measure.ts measures them; keel's exec round trips per host
 * from its --json report. Prints the markdown table and writes every sample to
 * .keel/bench/compare-<time>.json (each run's output in .keel/bench/out-<time>/). KEEL_LAB_KEEP=1 leaves the bench lab up.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchOptions } from './index.js';
import { aptSecondsPerHost } from './apt-time.js';
import { makeDrift, noChanges } from './drift.js';
import { requireSameChanges, type PerHost } from './reports.js';
import { markdownTable, rawSamples, Results } from './table.js';
import { ansible, ansibleVersion, ensureTools, floor, keel, type ToolRun } from './tools.js';
import { benchLabDown, benchLabReset, repo, type Work } from './workdir.js';

function requireNoFailure(what: string, work: Work, counts: PerHost): void {
  const bad = work.hosts.filter((h) => (counts.get(h)?.failed ?? 1) > 0);
  if (bad.length > 0) throw new Error(`bench: ${what} failed on ${bad.join(', ')}`);
}

/** Run the steps in an order rotated by `i`, so no tool always goes first. */
async function rotated(i: number, steps: (() => Promise<void>)[]): Promise<void> {
  for (let k = 0; k < steps.length; k++) await steps[(i + k) % steps.length]!();
}

/**
 * One tool's first converge. Ansible's is followed (first pair only) by the proof that keel finds
 * nothing to change; keel's, in the last pair, comes last, so the first no-op ansible-playbook
 * of inSync runs on hosts that only keel converged and must change nothing either.
 */
interface FirstConverge {
  series: 'first:keel' | 'first:ansible';
  converge(w: Work): Promise<ToolRun>;
  crossCheck?: { tool: string; run(w: Work): Promise<ToolRun> };
}

const FIRST: FirstConverge[] = [
  { series: 'first:keel', converge: (w) => keel(w, 'converge') },
  { series: 'first:ansible', converge: (w) => ansible(w, 'apply'), crossCheck: { tool: 'keel plan', run: (w) => keel(w, 'plan') } },
];

async function firstConverge(opts: BenchOptions, r: Results): Promise<Work> {
  let work: Work | undefined;
  const runs = Math.ceil(opts.runs / 2);
  for (let i = 0; i < runs; i++) {
    // alternate, with the last pair ending in keel's converge: its hosts go on to inSync
    await rotated(
      i + runs,
      FIRST.map((f) => async () => {
        work = await benchLabReset(opts.hosts);
        const t = await f.converge(work);
        requireNoFailure(f.series, work, t.counts);
        r.add(f.series, t, await aptSecondsPerHost(work));
        if (i === 0 && f.crossCheck) {
          const c = await f.crossCheck.run(work);
          requireSameChanges(`${f.crossCheck.tool} right after ${f.series}`, noChanges(work), { [f.crossCheck.tool]: c.counts });
        }
      }),
    );
  }
  return work!;
}

async function inSync(work: Work, opts: BenchOptions, r: Results): Promise<void> {
  const none = noChanges(work);
  const checked = (what: string, t: ToolRun, tool: string) => {
    requireSameChanges(what, none, { [tool]: t.counts });
    return t;
  };
  for (let i = 0; i < opts.runs; i++) {
    // the first step of run 0 is Ansible's, on hosts only keel has converged (see FIRST)
    const what = i === 0 ? "no-op ansible-playbook on hosts keel converged" : 'no-op ansible-playbook';
    await rotated(i, [
      async () => r.add('noop:ansible', checked(what, await ansible(work, 'apply'), 'ansible')),
      async () => r.add('noop:keel', checked('no-op keel converge', await keel(work, 'converge'), 'keel')),
      async () => r.add('plan:keel', checked('keel plan in sync', await keel(work, 'plan'), 'keel')),
      async () => r.add('plan:floor', await floor(work)),
    ]);
  }
}

async function drift(work: Work, opts: BenchOptions, r: Results): Promise<void> {
  const expected = await makeDrift(work);
  for (let i = 0; i < opts.runs; i++) {
    let k: ToolRun | undefined;
    let a: ToolRun | undefined;
    await rotated(i, [
      async () => void (k = await keel(work, 'plan')),
      async () => void (a = await ansible(work, 'check')),
    ]);
    requireSameChanges('drift check', expected, { keel: k!.counts, ansible: a!.counts });
    r.add('drift:keel', k!);
    r.add('drift:ansible', a!);
  }
}

export async function run(opts: BenchOptions): Promise<void> {
  ensureTools();
  execFileSync('npm', ['run', 'build'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  const started = new Date();
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  const r = new Results(join(repo, '.keel', 'bench', `out-${stamp}`));
  try {
    const work = await firstConverge(opts, r);
    await inSync(work, opts, r);
    await drift(work, opts, r);
  } finally {
    if (process.env.KEEL_LAB_KEEP !== '1') await benchLabDown();
  }
  const table = markdownTable(r);
  const file = join(repo, '.keel', 'bench', `compare-${stamp}.json`);
  const machine = {
    nproc: execFileSync('nproc', { encoding: 'utf8' }).trim(),
    node: process.version,
    ansibleCore: ansibleVersion(),
  };
  writeFileSync(file, JSON.stringify({ started, hosts: opts.hosts, runs: opts.runs, machine, samples: rawSamples(r) }, null, 2));
  console.log(`keel beside Ansible and the floor: ${opts.hosts} hosts, medians (${started.toISOString()})\n`);
  console.log(table);
  console.log(`\nevery sample: ${file}`);
}
