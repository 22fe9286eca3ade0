/**
 * Benchmark (run by hand, as root, with no other lab up): `keel plan` over N lab hosts with R
 * resources each, against the floor DESIGN.md names (one Node process opening one ssh2
 * connection per host and running one command on each), and Ansible's --check --diff when
 * `ansible-playbook` is installed.
 *   npx tsx bench/plan.ts [hosts=10] [resources=33] [runs=5]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { labDown, labUp } from '../lab/index.js';

const [hosts = 10, resources = 33, runs = 5] = process.argv.slice(2).map(Number);
const repo = join(import.meta.dirname, '..');
const labDir = join(repo, '.keel', 'bench-lab');

function time(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const t0 = process.hrtime.bigint();
  const res = spawnSync(cmd, args, { cwd: repo, env, stdio: ['ignore', 'ignore', 'pipe'] });
  if (res.status !== 0 && res.status !== 2) throw new Error(`${cmd} ${args.join(' ')} exited ${res.status}: ${res.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const info = await labUp(hosts, { dir: labDir, log: (m) => process.stderr.write(`lab: ${m}\n`) });
try {
  const dir = mkdtempSync(join(tmpdir(), 'keel-bench-'));
  mkdirSync(join(dir, 'states'));
  const items: unknown[] = [{ directory: '/srv/bench', mode: '0755' }];
  for (let i = 1; items.length < resources; i++) {
    if (i % 3 === 0) items.push({ command: `stamp-${i}`, run: `touch /srv/bench/stamp-${i}`, creates: `/srv/bench/stamp-${i}` });
    else items.push({ file: `/srv/bench/f${i}.conf`, content: `key = ${i}\n`.repeat(20), mode: '0644' });
  }
  writeFileSync(join(dir, 'states', 'bench.yaml'), stringify({ resources: items }));
  writeFileSync(
    join(dir, 'inventory.yaml'),
    stringify({
      defaults: { identity: info.identity, known_hosts: info.knownHosts },
      groups: { bench: { hosts: Object.fromEntries(info.hosts.map((h) => [h.name, { address: h.address }])), states: ['bench'] } },
    }),
  );
  const keel = ['bin/keel.js'];
  const inv = ['-i', join(dir, 'inventory.yaml')];
  execFileSync('npm', ['run', 'build'], { cwd: repo, stdio: 'ignore' });
  time('node', [...keel, 'converge', ...inv]);

  const floorScript = `
    import { Client } from 'ssh2'; import { readFileSync } from 'node:fs';
    const key = readFileSync(${JSON.stringify(info.identity)});
    await Promise.all(${JSON.stringify(info.hosts.map((h) => h.address))}.map((host) => new Promise((ok, ko) => {
      const c = new Client();
      c.on('ready', () => c.exec('true', (e, s) => { if (e) return ko(e); s.on('close', () => { c.end(); ok(); }).resume(); }))
       .on('error', ko).connect({ host, username: 'root', privateKey: key });
    })));`;
  writeFileSync(join(repo, '.keel', 'bench-floor.mjs'), floorScript);

  const plan = Array.from({ length: runs }, () => time('node', [...keel, 'plan', ...inv]));
  const floor = Array.from({ length: runs }, () => time('node', [join(repo, '.keel', 'bench-floor.mjs')]));
  console.log(`hosts=${hosts} resources/host=${resources} runs=${runs}`);
  console.log(`keel plan (in sync), wall incl. node start: median ${median(plan).toFixed(0)} ms  [${plan.map((x) => x.toFixed(0)).join(', ')}]`);
  console.log(`floor (node + one ssh2 exec per host):      median ${median(floor).toFixed(0)} ms  [${floor.map((x) => x.toFixed(0)).join(', ')}]`);
  console.log(`ratio keel/floor: ${(median(plan) / median(floor)).toFixed(2)}`);
} finally {
  if (process.env.KEEL_LAB_KEEP !== '1') await labDown({ dir: labDir });
}
