/**
 * How much of a first converge is apt itself: the seconds of every `apt-get install` on a host,
 * from its /var/log/apt/history.log (Start-Date .. End-Date of each transaction, whole seconds).
 * Both tools pay it alike; what is left is each tool's own cost.
 */
import { labSsh } from '../lab/index.js';
import type { Work } from './workdir.js';

const DATE = /^(Start|End)-Date: (\d{4}-\d\d-\d\d)\s+(\d\d:\d\d:\d\d)$/;

/** Seconds spent in apt transactions, summed over a history.log. */
export function aptSeconds(historyLog: string): number {
  let start: number | undefined;
  let total = 0;
  for (const line of historyLog.split('\n')) {
    const m = DATE.exec(line.trim());
    if (!m) continue;
    const t = Date.parse(`${m[2]}T${m[3]}Z`);
    if (m[1] === 'Start') start = t;
    else if (start !== undefined) {
      total += (t - start) / 1000;
      start = undefined;
    }
  }
  return total;
}

/** Per host of the lab: seconds of apt transactions so far. */
export async function aptSecondsPerHost(work: Work): Promise<number[]> {
  return Promise.all(
    work.lab.hosts.map(async (h) => {
      const r = await labSsh({ address: h.address, identity: work.lab.identity, knownHosts: work.lab.knownHosts }, 'cat /var/log/apt/history.log 2>/dev/null || true');
      return aptSeconds(r.stdout);
    }),
  );
}
