/**
 * Issue 9, item 7 on a real host (lab8): an Ansible-format inventory script (a plain sh script
 * printing `--list` JSON, as Ansible's docs show) names the host, its address, user and key;
 * inventory.yaml gives the script's group its state and a variable. `keel converge` writes the
 * file over SSH, the next `keel plan` is in sync, and `-i SCRIPT` alone drives `keel plan`;
 * a failing script stops the run before any host is touched.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keel, keelJson } from '../helpers/keel.js';
import type { LabTestHost } from '../lab/global-setup.js';
import { labHosts, labSkip } from '../lab/lab-env.js';
import { onHost } from './lab-inventory.js';

describe.skipIf(!!labSkip)('dynamic inventory (lab8)', () => {
  const path = `/tmp/keel-dyninv-${randomBytes(3).toString('hex')}.txt`;
  let h: LabTestHost;
  let dir: string;

  beforeAll(() => {
    h = labHosts()[7];
    dir = mkdtempSync(join(tmpdir(), 'keel-dyninv-lab-'));
    mkdirSync(join(dir, 'states'));
    const script = join(dir, 'cloud.sh');
    const hostvars = { ansible_host: h.address, ansible_user: 'root', ansible_ssh_private_key_file: h.identity, rack: 'r8' };
    const list = {
      _meta: { hostvars: { [h.name]: hostvars } },
      all: { vars: { region: 'lab' }, children: ['web', 'ungrouped'] },
      web: { hosts: [h.name], vars: { tier: 'front' } },
    };
    writeFileSync(
      script,
      `#!/bin/sh\n# Ansible's inventory script protocol: --list prints every group and _meta.hostvars\ncase "$1" in\n  --list) cat <<'JSON'\n${JSON.stringify(list, null, 2)}\nJSON\n  ;;\n  *) echo '{}' ;;\nesac\n`,
    );
    chmodSync(script, 0o755);
    // the static part: known_hosts (Ansible's format has no such variable) and the group's state
    writeFileSync(
      join(dir, 'inventory.yaml'),
      `sources: [{exec: ./cloud.sh}]\ndefaults: {known_hosts: ${h.knownHosts}, connect_timeout: 5}\ngroups:\n  web:\n    states: [motd]\n    vars: {owner: static}\n`,
    );
    writeFileSync(
      join(dir, 'states', 'motd.yaml'),
      `resources:\n  - file: ${path}\n    content: "{{ inventory_hostname }} {{ region }} {{ tier }} {{ rack }} {{ owner }}\\n"\n`,
    );
  });
  afterAll(async () => {
    await onHost(h, `rm -f ${path}`);
    rmSync(dir, { recursive: true, force: true });
  });

  it('drives keel converge; the next plan is in sync', async () => {
    const run = await keelJson(['converge', '-i', join(dir, 'inventory.yaml')]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.report.hosts.map((x: { host: string }) => x.host)).toEqual([h.name]);
    expect(await onHost(h, `cat ${path}`)).toBe(`${h.name} lab front r8 static\n`);
    const plan = await keelJson(['plan', '-i', join(dir, 'inventory.yaml')]);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.report.hosts[0].resources.map((r: { action: string }) => r.action)).toEqual(['none']);
  });

  it('`-i SCRIPT` alone works for keel plan (a script in keel\'s own format, giving known_hosts and the state)', async () => {
    const inv = {
      defaults: { known_hosts: h.knownHosts, identity: h.identity, user: 'root' },
      hosts: { [h.name]: { address: h.address, states: ['motd'], vars: { region: 'lab', tier: 'front', rack: 'r8', owner: 'static' } } },
    };
    const keelScript = join(dir, 'hosts');
    writeFileSync(keelScript, `#!/bin/sh\ncat <<'JSON'\n${JSON.stringify(inv)}\nJSON\n`);
    chmodSync(keelScript, 0o755);
    const plan = await keelJson(['plan', '-i', keelScript]);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.report.hosts[0]).toMatchObject({ host: h.name });
    expect(plan.report.hosts[0].resources.map((r: { action: string }) => r.action)).toEqual(['none']);
    // the same plan sees drift made by hand: it really probed the host
    await onHost(h, `echo changed > ${path}`);
    const drift = await keelJson(['plan', '-i', keelScript]);
    expect(drift.code, drift.stdout + drift.stderr).toBe(2);
  });

  it('a failing script: converge exits 1 with one message naming it, and touches no host', async () => {
    writeFileSync(join(dir, 'fail.sh'), '#!/bin/sh\necho "cloud API: token expired" >&2\nexit 5\n');
    chmodSync(join(dir, 'fail.sh'), 0o755);
    writeFileSync(join(dir, 'broken.yaml'), `sources: [{exec: ./cloud.sh}, {exec: ./fail.sh}]\ndefaults: {known_hosts: ${h.knownHosts}}\ngroups: {web: {states: [motd]}}\n`);
    const before = await onHost(h, `cat ${path}`);
    const run = await keel(['converge', '-i', join(dir, 'broken.yaml')]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(`error: ${join(dir, 'broken.yaml')}:1:38: inventory script ./fail.sh --list exited with code 5; its stderr ends:\n    cloud API: token expired`);
    expect(await onHost(h, `cat ${path}`)).toBe(before);
  });
});
