/** keel runs at --log-level trace whose stdout, stderr and log file are all kept, to be searched for secrets. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { keel } from '../helpers/keel.js';
import type { LabProject } from '../lab-ssh/lab-inventory.js';

export interface TracedRun {
  code: number;
  stdout: string;
  stderr: string;
  log: string;
}

export function tracedRuns(project: LabProject) {
  const outputs: string[] = [];
  let n = 0;
  return {
    /** Everything every kept run printed or logged. */
    outputs,
    /** keel `args` on the project's inventory, logging everything to a file of its own. */
    async run(...args: string[]): Promise<TracedRun> {
      const log = join(project.dir, `trace-${n++}.log`);
      const r = await keel([...args, '-i', project.inventory, '--log-level', 'trace', '--log-file', log]);
      return { ...r, log: readFileSync(log, 'utf8') };
    },
    /** Expect exit `want` and keep the run's outputs. */
    keep(r: TracedRun, want: number): TracedRun {
      expect(r.code, r.stdout + r.stderr).toBe(want);
      outputs.push(r.stdout, r.stderr, r.log);
      return r;
    },
  };
}
