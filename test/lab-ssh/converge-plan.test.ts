/**
 * Issue 8, item 5 on a real host: generated states (files, lines, directories, guarded commands,
 * require/before, several resources on one path) converge in one run over SSH on a lab host and
 * the next plan is empty. The engine runs in-process (no CLI spawn per run) so that a few dozen
 * states stay well under a minute; KEEL_PROP_RUNS and KEEL_PROP_SEED widen or replay the search.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadInventory } from '../../src/config/index.js';
import { silentLogger } from '../../src/log.js';
import { connect } from '../../src/transport/connect.js';
import type { Transport } from '../../src/transport/types.js';
import { shq } from '../../src/shell.js';
import { convergeThenPlan, newStats } from '../engine/converge-plan-property.js';
import { genCase } from '../engine/gen-states.js';
import { runLocal } from '../engine/run-local.js';
import { labHosts } from '../lab/lab-env.js';
import { labProject, onHost } from './lab-inventory.js';

const RUNS = Number(process.env.KEEL_PROP_RUNS ?? 20);
const SEED = Number(process.env.KEEL_PROP_SEED ?? 8);

const host = labHosts()[0];
const base = `/tmp/keel-prop-${randomBytes(3).toString('hex')}`;
const p = labProject(labHosts(), { [host.name]: { address: host.address, states: ['main'] } });
let shell: Transport;
beforeAll(async () => {
  p.writeState('main', 'resources: []\n');
  // one connection for the cases' setup and checks: an ssh process per script would dominate
  shell = await connect(loadInventory(p.inventory).hosts.get(host.name)!.connection, { log: silentLogger });
});
afterAll(async () => {
  await shell?.close();
  await onHost(host, `rm -rf ${shq(base)}`);
});

async function sh(script: string): Promise<string> {
  const res = await shell.exec(script);
  if (res.code !== 0) throw new Error(`${script} exited ${res.code}: ${res.stderr.toString()}`);
  return res.stdout.toString();
}

it(`${RUNS} generated states converge in one run over SSH on ${host.name}, then plan is empty`, async () => {
  const stats = newStats();
  let n = 0;
  await fc.assert(
    fc.asyncProperty(genCase, (c) =>
      convergeThenPlan(
        c,
        {
          root: `${base}/case${n++}`,
          sh,
          writeState: (text) => p.writeState('main', text),
          run: (command, vars) => runLocal(command, p.inventory, { vars }),
        },
        stats,
      ),
    ),
    { numRuns: RUNS, seed: SEED },
  );
  expect(stats.shared).toBeGreaterThan(RUNS / 4);
  expect(stats.converged).toBeGreaterThan(RUNS / 3);
  console.log(`converge-then-plan (${host.name}): ${JSON.stringify(stats)}`);
});
