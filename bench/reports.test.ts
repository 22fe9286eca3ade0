import { describe, expect, it } from 'vitest';
import { ansibleCounts, keelCounts, requireSameChanges } from './reports.js';

// The shape of ansible-playbook's default output with --check --diff (ansible-core 2.14).
const ANSIBLE = `
PLAY [all] *********************************************************************

TASK [file gzip.conf] **********************************************************
--- before: /etc/nginx/conf.d/gzip.conf
+++ after: /root/.ansible/tmp/ansible-local-1/tmpx/gzip.conf
@@ -3,3 +3,2 @@
 gzip_comp_level 5;
-# changed by hand
changed: [bench1]
ok: [bench2]

TASK [file gunicorn.conf.py] ***************************************************
--- before
+++ after
@@ -1,4 +1,4 @@
-    "mode": "0600",
+    "mode": "0644",
changed: [bench1]
ok: [bench2]

TASK [service gunicorn] ********************************************************
changed: [bench1]
ok: [bench2]

RUNNING HANDLER [restart gunicorn] *********************************************
changed: [bench1]

PLAY RECAP *********************************************************************
bench1                     : ok=28   changed=4    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0
bench2                     : ok=28   changed=0    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0
`;

describe('ansibleCounts', () => {
  it('counts changed tasks per host, not handlers, and reads the recap', () => {
    const { hosts, recapChanged } = ansibleCounts(ANSIBLE);
    expect(hosts.get('bench1')).toEqual({
      changed: 3,
      failed: 0,
      names: ['file gzip.conf', 'file gunicorn.conf.py', 'service gunicorn'],
    });
    expect(hosts.get('bench2')).toEqual({ changed: 0, failed: 0, names: [] });
    expect(recapChanged.get('bench1')).toBe(4);
  });

  it('counts a fatal task and the recap failures as failed', () => {
    const out = `TASK [packages] ****\nfatal: [bench1]: FAILED! => {"msg": "no"}\n\nPLAY RECAP ****\nbench1 : ok=1 changed=0 unreachable=0 failed=1 skipped=0\n`;
    expect(ansibleCounts(out).hosts.get('bench1')?.failed).toBe(1);
  });
});

describe('keelCounts', () => {
  it('counts resources whose action is not none, not refresh-only ones, and reads roundTrips', () => {
    const report = {
      hosts: [
        {
          host: 'bench1',
          status: 'drift',
          roundTrips: 1,
          resources: [
            { id: 'file:/etc/nginx/conf.d/gzip.conf', action: 'update', status: 'planned' },
            { id: 'service:nginx', action: 'none', status: 'planned', refresh: { action: 'reload' } },
            { id: 'service:gunicorn-benchapp', action: 'update', status: 'planned' },
            { id: 'directory:/srv/benchapp', action: 'none', status: 'ok' },
          ],
        },
        { host: 'bench2', status: 'unreachable', error: 'refused' },
      ],
    };
    const { hosts, roundTrips } = keelCounts(JSON.stringify(report));
    expect(hosts.get('bench1')).toEqual({ changed: 2, failed: 0, names: ['file:/etc/nginx/conf.d/gzip.conf', 'service:gunicorn-benchapp'] });
    expect(hosts.get('bench2')?.failed).toBe(1);
    expect(roundTrips.get('bench1')).toBe(1);
  });
});

describe('requireSameChanges', () => {
  const expected = new Map([['bench1', 3], ['bench2', 0]]);
  const counts = (b1: number) =>
    new Map([
      ['bench1', { changed: b1, failed: 0, names: [] }],
      ['bench2', { changed: 0, failed: 0, names: [] }],
    ]);

  it('passes when both tools report the expected changes', () => {
    expect(() => requireSameChanges('drift', expected, { keel: counts(3), ansible: counts(3) })).not.toThrow();
  });

  it('fails loudly when one tool sees another number of changes on a host', () => {
    expect(() => requireSameChanges('drift', expected, { keel: counts(3), ansible: counts(2) })).toThrow(
      /ansible: bench1 has 2 changes, expected 3/,
    );
  });

  it('fails when a host is missing from a report', () => {
    expect(() => requireSameChanges('drift', expected, { keel: new Map() })).toThrow(/keel reported nothing for bench1/);
  });
});
