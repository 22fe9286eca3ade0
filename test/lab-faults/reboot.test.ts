/**
 * A host that reboots in the middle of a put (lab10: no other test uses it). The lab's supervisor
 * boots the nspawn host again (exit 133); the test waits for real readiness (SSH with the host's
 * key and systemd's boot finished, on the new boot), then checks that the old bytes stayed and
 * that the next converge completes and leaves no temp file (also one the killed put left).
 */
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keelJson } from '../helpers/keel.js';
import { labSsh } from '../../lab/index.js';
import { waitUntilReady } from '../../lab/readiness.js';
import type { LabTestHost } from '../lab/global-setup.js';
import { labHosts, labSkip } from '../lab/lab-env.js';
import { labProject, onHost, type LabProject } from '../lab-ssh/lab-inventory.js';
import { faultHost } from './host-faults.js';

describe.skipIf(!!labSkip)('a host rebooted mid-run (lab10)', () => {
  const dir = `/srv/keel-reboot-${randomBytes(3).toString('hex')}`;
  let h: LabTestHost;
  let p: LabProject;

  beforeAll(async () => {
    h = faultHost('lab10');
    p = labProject(labHosts(), { [h.name]: { address: h.address, states: ['main'] } });
    p.writeState('main', `resources:\n  - file: ${dir}/big\n    source: big.txt\n`);
    writeFileSync(join(p.dir, 'states', 'big.txt'), `${'z'.repeat(1023)}\n`.repeat(64 * 1024));
    await onHost(h, `mkdir -p ${dir} && printf 'old bytes\\n' > ${dir}/big`);
  });
  afterAll(async () => {
    await onHost(h, `rm -rf ${dir}`);
    rmSync(p.dir, { recursive: true, force: true });
  });

  it('keeps the old bytes; the next converge completes and leaves no temp file', async () => {
    const target = { address: h.address, identity: h.identity, knownHosts: h.knownHosts };
    // /run is a fresh tmpfs on every boot: the marker tells the new boot from the old one
    const reboot = labSsh(
      target,
      `touch /run/keel-old-boot
until [ -n "$(find ${dir} -maxdepth 1 -name '.keel-*' -size +4M)" ]; do :; done
systemctl reboot`,
      { timeoutMs: 120_000 },
    );
    const r = await keelJson(['converge', '-i', p.inventory]);
    await reboot; // its own session dies with the host: its exit code says nothing
    expect(r.code).toBe(1);
    expect(r.report.hosts[0].status).toBe('failed');
    expect(r.report.hosts[0].resources[0].error).toMatch(/connection .* was lost|closed without an exit status/);
    for (;;) {
      await waitUntilReady(h.name, target);
      if ((await onHost(h, 'test -e /run/keel-old-boot && echo old || echo new')) === 'new\n') break;
    }
    expect(await onHost(h, `cat ${dir}/big`)).toBe('old bytes\n');
    // Whether the put's own trap removed its temp file depends on how far the shutdown got before
    // it killed the session (SIGKILL leaves it): the next put into the directory removes it.
    const left = await onHost(h, `find ${dir} -name '.keel-*'`);
    console.log(`reboot (lab10): temp file left by the killed put: ${left.trim() || 'none'}`);
    const again = await keelJson(['converge', '-i', p.inventory]);
    expect(again.code, again.stdout).toBe(0);
    expect(await onHost(h, `wc -c < ${dir}/big; find ${dir} -name '.keel-*'`)).toBe(`${64 << 20}\n`);
  });
});
