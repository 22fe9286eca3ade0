/**
 * `npm run bench -- [flags]` (by hand, as root; never part of `npm test`). One entry point for
 * every benchmark; each part lives in its own file and exports `run(opts)`:
 *   --hosts N            lab hosts (default 10)
 *   --runs N             paired runs per measurement (default 5)
 *   --scale              plan of many hosts beside the floor (bench/scale.ts)
 *   --startup            controller start-up beside `node -e 0` (bench/startup.ts)
 *   --profile            where keel plan's controller CPU goes, by area (bench/profile.ts)
 *   --workers            keel drift by one controller beside two workers (bench/workers.ts)
 *   (no part flag)       keel beside Ansible and the floor (bench/compare.ts)
 */
import { parseArgs } from 'node:util';

export interface BenchOptions {
  hosts: number;
  runs: number;
}

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '10' },
    runs: { type: 'string', default: '5' },
    scale: { type: 'boolean', default: false },
    startup: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    workers: { type: 'boolean', default: false },
  },
});
const opts: BenchOptions = { hosts: Number(values.hosts), runs: Number(values.runs) };
for (const [k, v] of Object.entries(opts)) {
  if (!Number.isInteger(v) || v < 1) {
    console.error(`bench: --${k} must be a whole number >= 1`);
    process.exit(1);
  }
}
const part = values.scale ? './scale.js' : values.startup ? './startup.js' : values.profile ? './profile.js' : values.workers ? './workers.js' : './compare.js';
const mod = (await import(part)) as { run(o: BenchOptions): Promise<void> };
await mod.run(opts);
