/**
 * vitest globalSetup: boots a lab of KEEL_LAB_HOSTS (default 10) real Debian hosts in
 * `<repo>/.keel/test-lab` for the integration tests, and takes it down afterwards (unless
 * KEEL_LAB_KEEP=1), checking that nothing is left behind. Tests find the lab through
 * KEEL_LAB_INVENTORY (keel inventory path) and KEEL_LAB_HOSTS_JSON (see LabTestHost).
 * Without lab support (not Linux/root): throws in CI, else one loud line and KEEL_LAB_SKIP.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAlive } from '../../src/proc.js';
import { labDown, labLeftovers, labSupportProblem, labUp, withLabLock } from '../../lab/index.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** One element of KEEL_LAB_HOSTS_JSON. */
export interface LabTestHost {
  name: string;
  address: string;
  user: string;
  identity: string;
  knownHosts: string;
}

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  const problem = labSupportProblem();
  if (problem !== undefined) {
    if (process.env.CI === 'true') throw new Error(`keel lab tests cannot run in CI: ${problem}`);
    process.stderr.write(`LAB TESTS SKIPPED: ${problem} (run as root on Linux to test against real hosts)\n`);
    process.env.KEEL_LAB_SKIP = problem;
    return undefined;
  }
  // KEEL_TEST_LAB_DIR lets several checkouts (git worktrees) share one lab: its names are machine-wide
  const dir = process.env.KEEL_TEST_LAB_DIR ? resolve(process.env.KEEL_TEST_LAB_DIR) : join(repo, '.keel', 'test-lab');
  // Several test runs may share the lab: each registers, and only the last one out takes it down.
  const users = join(dir, 'users');
  mkdirSync(users, { recursive: true });
  for (const pid of readdirSync(users)) if (!isAlive(Number(pid))) rmSync(join(users, pid), { force: true });
  writeFileSync(join(users, String(process.pid)), '');
  // lab1..lab3 for module and engine tests, lab4 (web) and lab5 (db) for the production stack,
  // lab9 and lab10 for the lock and fault tests (locks held, connections cut, a reboot), and all
  // ten for the test that one unreachable and one failing host never stop the others
  const n = Number(process.env.KEEL_LAB_HOSTS ?? 10);
  const started = Date.now();
  const info = await labUp(n, { dir, log: (m) => process.stderr.write(`keel lab: ${m}\n`) });
  process.stderr.write(`keel lab: ${info.hosts.length} host(s) ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  const hosts: LabTestHost[] = info.hosts.map((h) => ({
    name: h.name,
    address: h.address,
    user: 'root',
    identity: info.identity,
    knownHosts: info.knownHosts,
  }));
  process.env.KEEL_LAB_DIR = dir;
  process.env.KEEL_LAB_INVENTORY = info.inventory;
  process.env.KEEL_LAB_HOSTS_JSON = JSON.stringify(hosts);

  return async function teardown(): Promise<void> {
    if (process.env.KEEL_LAB_KEEP === '1') {
      process.stderr.write(`keel lab: kept up (KEEL_LAB_KEEP=1); take it down with labDown({dir: '${dir}'})\n`);
      return;
    }
    await withLabLock('test lab teardown', async () => {
      rmSync(join(users, String(process.pid)), { force: true });
      const others = readdirSync(users).filter((pid) => isAlive(Number(pid)));
      if (others.length > 0) {
        process.stderr.write(`keel lab: left up for other test runs (pids ${others.join(', ')})\n`);
        return;
      }
      await labDown({ dir });
      const left = await labLeftovers({ dir });
      if (left.length > 0) throw new Error(`labDown left these behind:\n  ${left.join('\n  ')}`);
    });
  };
}

