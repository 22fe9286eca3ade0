/** Reading a lab host's process list (every /proc/PID/cmdline) once, or over and over in the background. */
import type { LabTestHost } from '../lab/global-setup.js';
import { onHost } from '../lab-ssh/lab-inventory.js';

/** One line per process: its argv, NULs as spaces. */
export const PS_SNAPSHOT = `for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < "$f"; echo; done 2>/dev/null`;

export interface PsSampler {
  /** Stop the loop, wait until it has ended, and return everything it saw. */
  stop(): Promise<string>;
}

/** A loop on the host that snapshots the process list until stopped (`dir` is its own, fresh). */
export async function startPsSampler(host: LabTestHost, dir: string): Promise<PsSampler> {
  await onHost(
    host,
    `mkdir -p ${dir} && touch ${dir}/run && { (while [ -e ${dir}/run ]; do ${PS_SNAPSHOT}; sleep 0.02; done > ${dir}/samples) </dev/null >/dev/null 2>&1 & echo $! > ${dir}/pid; }`,
  );
  return {
    async stop() {
      await onHost(host, `rm ${dir}/run; while kill -0 $(cat ${dir}/pid) 2>/dev/null; do sleep 0.1; done`);
      return onHost(host, `cat ${dir}/samples; rm -rf ${dir}`);
    },
  };
}
