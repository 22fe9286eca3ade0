/**
 * Ten hosts, one unreachable (10.199.0.250: in the lab subnet, but the lab numbers hosts from .11
 * up, so no host has it) and one failing a resource: the other eight converge fully, and the JSON
 * report, the text report and the --detailed-exitcode bits say exactly which. Then the same
 * rollout in batches of 3 with --max-fail-percentage 0 stops after the failing host's batch.
 * lab1..lab9 are only written under a unique path.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keel, keelJson } from '../helpers/keel.js';
import type { LabTestHost } from '../lab/global-setup.js';
import { labHosts, labSkip } from '../lab/lab-env.js';
import { labProject, onHost, type LabProject } from '../lab-ssh/lab-inventory.js';

const GHOST = '10.199.0.250';

describe.skipIf(!!labSkip)('one unreachable and one failing host of ten', () => {
  const dir = `/srv/keel-ten-${randomBytes(3).toString('hex')}`;
  let lab: LabTestHost[];
  let p: LabProject;
  const failing = 'lab5';
  const marker = (h: LabTestHost) => onHost(h, `cat ${dir}/marker 2>/dev/null || echo none`);

  beforeAll(() => {
    lab = labHosts().filter((h) => h.name !== 'lab10');
    expect(lab.map((h) => h.name)).toEqual(['lab1', 'lab2', 'lab3', 'lab4', 'lab5', 'lab6', 'lab7', 'lab8', 'lab9']);
    const hosts: Record<string, Record<string, unknown>> = {};
    for (const h of lab) hosts[h.name] = { address: h.address, states: h.name === failing ? ['ok', 'bad'] : ['ok'] };
    hosts.ghost = { address: GHOST, states: ['ok'], retries: 0, connect_timeout: 3 };
    p = labProject(lab, hosts);
    p.writeState('ok', `resources:\n  - directory: ${dir}\n  - file: ${dir}/marker\n    content: "{{ inventory_hostname }} {{ round }}\\n"\n`);
    p.writeState('bad', `resources:\n  - command: broken\n    run: "echo broken on purpose >&2; exit 3"\n`);
  });
  afterAll(async () => {
    await Promise.all(lab.map((h) => onHost(h, `rm -rf ${dir}`)));
    rmSync(p.dir, { recursive: true, force: true });
  });

  it('converges the other eight; JSON, text and exit bits name the unreachable and the failing host', async () => {
    const json = await keelJson(['converge', '-i', p.inventory, '--var', 'round=1', '--detailed-exitcode']);
    expect(json.code).toBe(2 | 4 | 8);
    const status = Object.fromEntries(json.report.hosts.map((h: any) => [h.host, h.status]));
    expect(status).toEqual({ lab1: 'changed', lab2: 'changed', lab3: 'changed', lab4: 'changed', lab5: 'failed', lab6: 'changed', lab7: 'changed', lab8: 'changed', lab9: 'changed', ghost: 'unreachable' });
    // the run's counts: a directory and a file added on each of the nine reachable hosts (lab5's too, before its command failed)
    const counts = { add: 18, change: 0, destroy: 0, run: 0, refresh: 0, mayChange: 0 };
    expect(json.report.summary).toEqual({ hosts: 10, drifted: 0, changed: 8, failed: 1, unreachable: 1, counts });
    const ghost = json.report.hosts.find((h: any) => h.host === 'ghost');
    expect(ghost.error).toContain(GHOST);
    const bad = json.report.hosts.find((h: any) => h.host === failing);
    expect(bad.resources.map((r: any) => `${r.id} ${r.status}`)).toEqual([`directory:${dir} changed`, `file:${dir}/marker changed`, 'command:broken failed']);
    expect(bad.resources[2].error).toContain('broken on purpose');
    for (const h of lab) expect(await marker(h)).toBe(`${h.name} 1\n`);

    const text = await keel(['converge', '-i', p.inventory, '--var', 'round=1']);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^ghost: UNREACHABLE\n {2}host ghost: .*10\.199\.0\.250/m);
    expect(text.stdout).toMatch(/^lab5: FAILED\n.*command:broken.*\[failed\]/m);
    for (const h of lab.filter((x) => x.name !== failing)) expect(text.stdout).toContain(`${h.name}: nothing changed`);
    expect(text.stdout).toMatch(/^ghost +: ok=0 changed=0 failed=0 skipped=0 unreachable=1$/m);
    expect(text.stdout).toContain('converge: 10 host(s), 0 drifted, 0 changed, 1 failed, 1 unreachable');
  });

  it('--serial 3 --max-fail-percentage 0 stops after the failing host\'s batch, and says so', async () => {
    const r = await keelJson(['converge', '-i', p.inventory, '--var', 'round=2', '--serial', '3', '--max-fail-percentage', '0']);
    expect(r.code).toBe(1);
    expect(r.report.rollout).toEqual({
      batches: [['lab1', 'lab2', 'lab3'], ['lab4', 'lab5', 'lab6'], ['lab7', 'lab8', 'lab9'], ['ghost']],
      stopped: { afterBatch: 2, reason: '1 of 3 host(s) of the batch failed (33.3% > --max-fail-percentage 0): lab5 failed', notRun: ['lab7', 'lab8', 'lab9', 'ghost'] },
    });
    expect(r.report.hosts.map((h: any) => h.host)).toEqual(['lab1', 'lab2', 'lab3', 'lab4', 'lab5', 'lab6']);
    const markers = await Promise.all(lab.map(marker));
    expect(markers).toEqual(lab.map((h, i) => `${h.name} ${i < 6 ? 2 : 1}\n`));
  });
});
