/**
 * Faults in the middle of a converge on a real lab host (lab9), each injected for real: SIGINT to
 * keel's process group, the SSH connection cut by killing its sshd session on the host during a
 * large put and during the probe, and a full filesystem (a small tmpfs). No target is ever
 * half-written (its old bytes stay), no temp file stays behind, and the next converge completes.
 */
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keel, keelJson } from '../helpers/keel.js';
import { startKeel } from '../helpers/keel-process.js';
import type { LabTestHost } from '../lab/global-setup.js';
import { labHosts, labSkip } from '../lab/lab-env.js';
import { labProject, onHost, type LabProject } from '../lab-ssh/lab-inventory.js';
import { CUT, duringPut, faultHost } from './host-faults.js';

const BIG_MIB = 64;

describe.skipIf(!!labSkip)('faults during converge (lab9)', () => {
  const dir = `/srv/keel-faults-${randomBytes(3).toString('hex')}`;
  let h: LabTestHost;
  const projects: LabProject[] = [];
  const project = (state: string) => {
    const p = labProject(labHosts(), { [h.name]: { address: h.address, states: ['main'] } });
    p.writeState('main', state);
    projects.push(p);
    return p;
  };
  const sha = (path: string) => onHost(h, `sha256sum < ${path}`);
  const temps = (d: string) => onHost(h, `find ${d} -maxdepth 1 -name '.keel-*'`);

  beforeAll(async () => {
    h = faultHost('lab9');
    await onHost(h, `mkdir -p ${dir}`);
  });
  afterAll(async () => {
    await onHost(h, `umount ${dir}/full 2>/dev/null; rm -rf ${dir}`);
    for (const p of projects) rmSync(p.dir, { recursive: true, force: true });
  });

  it('SIGINT: the step in flight finishes, nothing new starts, exit 130, the lock is released', async () => {
    const p = project(`resources:
  - command: slow
    run: "touch ${dir}/int-started; until [ -e ${dir}/int-go ]; do sleep 0.1; done; touch ${dir}/int-finished"
    creates: ${dir}/int-finished
  - file: ${dir}/int-next
    content: "never\\n"
    require: [command:slow]
`);
    const run = startKeel(['converge', '-i', p.inventory, '--json'], { group: true });
    await onHost(h, `until [ -e ${dir}/int-started ]; do sleep 0.1; done`);
    process.kill(-run.pid, 'SIGINT'); // what Ctrl-C on a terminal does: the whole foreground group
    await run.stderrMatches(/interrupted: finishing the step in flight/);
    await onHost(h, `touch ${dir}/int-go`);
    const r = await run.done;
    expect(r.code, r.stderr).toBe(130);
    const report = JSON.parse(r.stdout);
    const [slow, next] = report.hosts[0].resources;
    expect(slow.status).toBe('changed');
    expect(next.status).toBe('skipped');
    expect(next.error).toMatch(/interrupted/);
    expect(await onHost(h, `ls ${dir}/int-finished; [ ! -e ${dir}/int-next ] && echo absent`)).toBe(`${dir}/int-finished\nabsent\n`);
    const again = await keel(['converge', '-i', p.inventory, '--lock-timeout', '0']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(await onHost(h, `cat ${dir}/int-next`)).toBe('never\n');
  });

  it('a connection cut mid-put leaves the old bytes and no temp file, is not retried, and the next converge completes', async () => {
    await onHost(h, `mkdir -p ${dir}/put && printf 'old bytes\\n' > ${dir}/put/big`);
    const before = await sha(`${dir}/put/big`);
    const p = project(`resources:\n  - file: ${dir}/put/big\n    source: big.txt\n`);
    const big = join(p.dir, 'states', 'big.txt');
    writeFileSync(big, `${'x'.repeat(1023)}\n`.repeat(BIG_MIB * 1024));
    const cut = duringPut(h, `${dir}/put`, 4, 'cut $w');
    const r = await keelJson(['converge', '-i', p.inventory]);
    await cut;
    expect(r.code).toBe(1);
    const res = r.report.hosts[0].resources[0];
    expect(res.status).toBe('failed');
    expect(res.error).toMatch(/connection .* was lost|closed without an exit status/);
    expect(await sha(`${dir}/put/big`)).toBe(before);
    expect(await temps(`${dir}/put`)).toBe('');
    const again = await keelJson(['converge', '-i', p.inventory]);
    expect(again.code, again.stdout).toBe(0);
    expect(await onHost(h, `wc -c < ${dir}/put/big`)).toBe(`${BIG_MIB << 20}\n`);
  });

  it('a full filesystem fails the write, keeps the old bytes and no temp file; with room again, converge completes', async () => {
    const full = `${dir}/full`;
    await onHost(h, `mkdir -p ${full} && mount -t tmpfs -o size=1m keel-test ${full} && printf 'old\\n' > ${full}/target && head -c 900000 /dev/zero > ${full}/filler`);
    const p = project(`resources:\n  - file: ${full}/target\n    source: half-mib.txt\n`);
    writeFileSync(join(p.dir, 'states', 'half-mib.txt'), `${'y'.repeat(511)}\n`.repeat(1024));
    const r = await keelJson(['converge', '-i', p.inventory]);
    expect(r.code).toBe(1);
    expect(r.report.hosts[0].resources[0].error).toMatch(/No space left on device/);
    expect(await onHost(h, `cat ${full}/target`)).toBe('old\n');
    expect(await temps(full)).toBe('');
    await onHost(h, `rm ${full}/filler`);
    const again = await keelJson(['converge', '-i', p.inventory]);
    expect(again.code, again.stdout).toBe(0);
    expect(await onHost(h, `wc -c < ${full}/target`)).toBe(`${512 * 1024}\n`);
  });

  it('a connection cut during the read-only probe is retried once, and the run completes', async () => {
    const p = project(`resources:
  - command: probed
    run: "echo ran >> ${dir}/probe-ran"
    unless: "echo $$ >> ${dir}/probe-pids; until [ -e ${dir}/probe-go ]; do sleep 0.1; done; test -e ${dir}/probe-ran"
`);
    const run = startKeel(['converge', '-i', p.inventory, '--json']);
    await onHost(h, `${CUT}
until [ -s ${dir}/probe-pids ]; do sleep 0.1; done
cut $(head -n 1 ${dir}/probe-pids)
touch ${dir}/probe-go`);
    const r = await run.done;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toMatch(/connection lost during the probe: connecting again/);
    expect(JSON.parse(r.stdout).hosts[0].resources[0].status).toBe('changed');
    // the guard ran in the cut probe, the retried probe and the verify; the command ran once
    expect(await onHost(h, `wc -l < ${dir}/probe-pids; cat ${dir}/probe-ran`)).toBe('3\nran\n');
  });
});
