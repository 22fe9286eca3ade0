/**
 * The bench's lab and the files both tools read: a lab of its own (never the shared test lab),
 * keel's inventory (the lab's hosts, bench/fixtures/vars.yml as vars, the state `web` from
 * bench/fixtures/states through a symlink), the lab's Ansible INI inventory, and the floor's
 * config.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { labDown, labUp, type LabInfo } from '../lab/index.js';

export const repo = join(import.meta.dirname, '..');
export const fixtures = join(repo, 'bench', 'fixtures');
export const LAB_NAME = 'bench';

/** A bench lab: its name (never the test lab's `lab`), its state dir and the bench's files for it. */
export interface BenchLab {
  name: string;
  labDir: string;
  workDir: string;
}

export const benchLab = (name: string): BenchLab => ({ name, labDir: join(repo, '.keel', `${name}-lab`), workDir: join(repo, '.keel', name) });
const BENCH = benchLab(LAB_NAME);

export interface Work {
  lab: LabInfo;
  /** keel's inventory. */
  inventory: string;
  /** Ansible's INI inventory (written by the lab). */
  hostsIni: string;
  /** The floor's config (bench/floor.mjs). */
  floorConfig: string;
  hosts: string[];
  addresses: string[];
}

const log = (m: string) => process.stderr.write(`lab: ${m}\n`);

export async function benchLabUp(n: number, where: BenchLab = BENCH): Promise<Work> {
  const t0 = Date.now();
  const lab = await labUp(n, { name: where.name, dir: where.labDir, log });
  log(`${n} host(s) ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return writeWork(lab, where.workDir);
}

export async function benchLabDown(where: BenchLab = BENCH): Promise<void> {
  await labDown({ name: where.name, dir: where.labDir });
}

/** Fresh hosts: the bench lab taken down (each host's layer deleted) and booted again. */
export async function benchLabReset(n: number, where: BenchLab = BENCH): Promise<Work> {
  await benchLabDown(where);
  return benchLabUp(n, where);
}

function writeWork(lab: LabInfo, workDir: string): Work {
  mkdirSync(workDir, { recursive: true });
  const states = join(workDir, 'states');
  if (!existsSync(states)) symlinkSync(join(fixtures, 'states'), states);
  const vars = parse(readFileSync(join(fixtures, 'vars.yml'), 'utf8')) as Record<string, unknown>;
  const inventory = join(workDir, 'inventory.yaml');
  writeFileSync(
    inventory,
    '# written by npm run bench: the bench lab with bench/fixtures\n' +
      stringify({
        defaults: { user: 'root', identity: lab.identity, known_hosts: lab.knownHosts },
        vars,
        groups: { web: { hosts: Object.fromEntries(lab.hosts.map((h) => [h.name, { address: h.address }])), states: ['web'] } },
      }),
  );
  const floorConfig = join(workDir, 'floor.json');
  const addresses = lab.hosts.map((h) => h.address);
  writeFileSync(
    floorConfig,
    JSON.stringify({ hosts: addresses, identity: lab.identity, knownHosts: lab.knownHosts, script: join(fixtures, 'floor-probe.sh') }),
  );
  return { lab, inventory, hostsIni: lab.hostsIni, floorConfig, hosts: lab.hosts.map((h) => h.name), addresses };
}

/** A fresh, empty directory for one Ansible run's ssh control sockets (ControlPersist). */
export function controlDir(run: number): string {
  const d = join(BENCH.workDir, `cp-${run}`);
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d, { recursive: true, mode: 0o700 });
  return d;
}
