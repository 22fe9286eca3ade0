/**
 * Issue 8, item 5: generated states (files, lines, directories, guarded commands, require/before,
 * several resources on one path) converge in one run on the local transport and the next plan
 * is empty. KEEL_PROP_RUNS and KEEL_PROP_SEED widen or replay the search.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import { convergeThenPlan, newStats } from './converge-plan-property.js';
import { genCase } from './gen-states.js';
import { project } from './local-env.js';
import { runLocal } from './run-local.js';

const RUNS = Number(process.env.KEEL_PROP_RUNS ?? 40);
const SEED = Number(process.env.KEEL_PROP_SEED ?? 20261201);

const p = project({ main: 'resources: []\n' });
afterAll(() => p.remove());

it(`${RUNS} generated states converge in one run, then plan is empty (local transport)`, async () => {
  const stats = newStats();
  let n = 0;
  const sh = async (script: string) => (await promisify(execFile)('sh', ['-c', script])).stdout;
  await fc.assert(
    fc.asyncProperty(genCase, (c) =>
      convergeThenPlan(
        c,
        { root: `${p.root}/case${n++}`, sh, writeState: (text) => p.write('states/main.yaml', text), run: (command, vars) => runLocal(command, p.inventory, { vars }) },
        stats,
      ),
    ),
    { numRuns: RUNS, seed: SEED },
  );
  // the generator reaches what broke before: several resources on one path, refusals, fights
  expect(stats.shared).toBeGreaterThan(RUNS / 4);
  expect(stats.refused).toBeGreaterThan(0);
  expect(stats.converged).toBeGreaterThan(RUNS / 2);
  console.log(`converge-then-plan (local): ${JSON.stringify(stats)}`);
});
