/**
 * The drift of the bench: a few changes made by hand on the first half of the hosts, each to a
 * resource that both tools manage one for one (a file's contents, a file's mode, a stopped
 * service), so both must report exactly DRIFT_PER_HOST changes on those hosts and none elsewhere.
 */
import { labSsh } from '../lab/index.js';
import type { Work } from './workdir.js';

const HAND_EDITS = [
  "echo '# changed by hand' >> /etc/nginx/conf.d/gzip.conf",
  'chmod 0600 /etc/benchapp/gunicorn.conf.py',
  'systemctl stop gunicorn-benchapp.service',
];
export const DRIFT_PER_HOST = HAND_EDITS.length;

/** Make the edits; returns the expected number of changes per host. */
export async function makeDrift(work: Work): Promise<Map<string, number>> {
  const drifted = Math.ceil(work.hosts.length / 2);
  const expected = new Map<string, number>();
  await Promise.all(
    work.lab.hosts.map(async (h, i) => {
      expected.set(h.name, i < drifted ? DRIFT_PER_HOST : 0);
      if (i >= drifted) return;
      const r = await labSsh({ address: h.address, identity: work.lab.identity, knownHosts: work.lab.knownHosts }, HAND_EDITS.join(' && '));
      if (r.code !== 0) throw new Error(`bench: hand edits on ${h.name} failed: ${r.stderr}`);
    }),
  );
  return expected;
}

export function noChanges(work: Work): Map<string, number> {
  return new Map(work.hosts.map((h) => [h, 0]));
}
