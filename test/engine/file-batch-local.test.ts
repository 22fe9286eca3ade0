/**
 * The shared file probe against the single-path probe it replaced, on this machine's real shell
 * and tools: every tricky path, every option set, byte-identical records; and what it spawns.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileProbe, MAX_DIFF_BYTES, sha256, type FileProbeOptions } from '../../modules/shared/index.js';
import { probeScript, runProbes, sh } from '../../modules/test-helpers.js';
import { fileProbeSnippet } from './file-probe-reference.js';

const root = mkdtempSync(join(tmpdir(), 'keel-batch-'));
chmodSync(root, 0o755);
afterAll(() => rmSync(root, { recursive: true, force: true }));
const at = (name: string) => join(root, name);

const same = 'same\n';
writeFileSync(at('plain'), same);
writeFileSync(at("sp ace 'quo\"te' $(x) `y`"), 'other\n');
writeFileSync(at('new\nline'), same);
writeFileSync(at('back\\slash'), 'b\n');
mkdirSync(at('-dash'));
writeFileSync(at('-dash/-rf'), 'dash\n');
writeFileSync(at('binary'), Buffer.from([0, 1, 2, 255]));
writeFileSync(at('big'), 'y'.repeat(MAX_DIFF_BYTES + 1));
writeFileSync(at('secret'), 'secret\n', { mode: 0o600 });
writeFileSync(at('hard'), 'h\n');
linkSync(at('hard'), at('hard2'));
symlinkSync('plain', at('to-file'));
symlinkSync('nowhere', at('dangling'));
mkdirSync(at('dir'));
symlinkSync('dir', at('to-dir'));
mkdirSync(at('empty'));
mkdirSync(at('hidden'));
writeFileSync(at('hidden/.only'), '');
mkdirSync(at('dotdot'));
writeFileSync(at('dotdot/..x'), '');
mkdirSync(at('closed'), { mode: 0o700 });
mkdirSync(at('list-only'));
writeFileSync(at('list-only/a'), '');
chmodSync(at('list-only'), 0o744);
execFileSync('mkfifo', [at('fifo')]);
writeFileSync(at('capped'), 'c\n');
writeFileSync(at('capped\nnl'), 'c\n');
const hasCaps = (() => {
  try {
    execFileSync('setcap', ['cap_net_raw=ep', at('capped')]);
    execFileSync('setcap', ['cap_net_admin=ep', at('capped\nnl')]);
    return true;
  } catch {
    return false;
  }
})();

const paths = [
  'plain', "sp ace 'quo\"te' $(x) `y`", 'new\nline', 'back\\slash', '-dash', '-dash/-rf', 'binary', 'big', 'secret', 'hard',
  'to-file', 'dangling', 'dir', 'to-dir', 'empty', 'hidden', 'dotdot', 'closed', 'list-only', 'fifo', 'capped', 'capped\nnl',
  'missing', 'missing-parent/x',
].map(at);
const want = sha256(Buffer.from(same));
const optionSets: FileProbeOptions[] = [
  {}, // file state: absent
  { hash: true, wantSha256: want }, // file, template, systemd_unit
  { hash: true }, // file without content
  { follow: true, checkEmpty: true }, // directory absent
  { follow: true }, // directory
  { sendContent: true }, // line
  { hash: true, wantSha256: want, maxContentBytes: 3 },
];
const cases = optionSets.flatMap((opts) => paths.map((path) => ({ path, opts })));

async function reference(runAs: string | undefined): Promise<string[]> {
  return Promise.all(
    cases.map(async ({ path, opts }) => {
      const snippet = `(\n${fileProbeSnippet(path, opts)}\n)`;
      const r = runAs ? await sh(`su -s /bin/sh ${runAs}`, { stdin: snippet }) : await sh(snippet);
      return r.stdout.toString('utf8');
    }),
  );
}

describe('the shared file probe', () => {
  it('prints for every path exactly what the single-path probe printed, in one batch', async () => {
    const outs = await runProbes(cases.map(({ path, opts }) => fileProbe(path, opts)));
    expect(outs.map((o) => o.text)).toEqual(await reference(undefined));
    expect(outs.every((o) => o.code === 0)).toBe(true);
    if (hasCaps) expect(outs.some((o) => o.text.includes('caps='))).toBe(true);
  });

  it('reads capabilities as libcap before 2.3x printed them too ("path = caps")', async () => {
    const bin = at('old-getcap');
    mkdirSync(bin);
    const real = execFileSync('sh', ['-c', 'command -v getcap']).toString().trim();
    const old = `#!/bin/sh\n${real} "$@" | while IFS= read -r l; do printf '%s = %s\\n' "\${l% *}" "\${l##* }"; done\n`;
    writeFileSync(join(bin, 'getcap'), old, { mode: 0o755 });
    const capped = [at('capped'), at('capped\nnl'), at('plain')];
    const { script, outputs } = probeScript(capped.map((p) => fileProbe(p, { hash: true })));
    const outs = outputs((await sh(`PATH='${bin}':"$PATH"; export PATH\n${script}`)).stdout).map((o) => o.text);
    const caps = (c: string) => `caps=${Buffer.from(c).toString('base64')}\n`;
    expect(outs.map((t) => t.includes('caps='))).toEqual([hasCaps, hasCaps, false]);
    if (hasCaps) expect([outs[0].includes(caps('cap_net_raw=ep')), outs[1].includes(caps('cap_net_admin=ep'))]).toEqual([true, true]);
  });

  it('does so as a user who cannot read some of the files (unreadable, closed and list-only directories)', async () => {
    const { script, outputs } = probeScript(cases.map(({ path, opts }) => fileProbe(path, opts)));
    const outs = outputs((await sh('su -s /bin/sh nobody', { stdin: script })).stdout);
    const ref = await reference('nobody');
    expect(outs.map((o) => o.text)).toEqual(ref);
    expect(ref.some((t) => t.includes('readable=0'))).toBe(true);
  });

  it('spawns one stat and one sha256sum for N files, and base64 only for the contents that differ', async () => {
    const files = Array.from({ length: 40 }, (_, i) => at(`n${i}`));
    files.forEach((f, i) => writeFileSync(f, i < 3 ? 'differs\n' : same));
    const log = at('calls.log');
    const bin = at('bin');
    mkdirSync(bin);
    // each wrapper logs its name and runs the real tool
    for (const tool of ['stat', 'sha256sum', 'base64', 'getcap', 'readlink', 'ls', 'head']) {
      const real = execFileSync('sh', ['-c', `command -v ${tool}`]).toString().trim();
      writeFileSync(join(bin, tool), `#!/bin/sh\necho ${tool} >>'${log}'\nexec ${real} "$@"\n`, { mode: 0o755 });
    }
    const { script, outputs } = probeScript(files.map((f) => fileProbe(f, { hash: true, wantSha256: want })));
    const r = await sh(`PATH='${bin}':"$PATH"; export PATH\n${script}`);
    const outs = outputs(r.stdout);
    expect(outs.filter((o) => o.text.includes('content=')).length).toBe(3);
    const calls = readFileSync(log, 'utf8').trim().split('\n').sort();
    const count = (tool: string) => calls.filter((c) => c === tool).length;
    expect({ stat: count('stat'), sha256sum: count('sha256sum'), base64: count('base64'), readlink: count('readlink'), ls: count('ls') }).toEqual({
      stat: 1,
      sha256sum: 1,
      base64: 3,
      readlink: 0,
      ls: 0,
    });
    expect(count('getcap')).toBeLessThanOrEqual(1);
  });

  it("takes each path's lines where the first pass put it, though a path changes before the second pass reads them", async () => {
    const race = at('race');
    mkdirSync(race);
    const f = (n: string) => join(race, n);
    for (const n of ['a', 'b', 'c']) writeFileSync(f(n), `${n}\n`);
    writeFileSync(f('t1'), '1\n', { mode: 0o600 });
    writeFileSync(f('t2'), '2\n', { mode: 0o644 });
    chmodSync(f('t1'), 0o600);
    chmodSync(f('t2'), 0o644);
    symlinkSync('t1', f('l1'));
    symlinkSync('t2', f('l2'));
    // the REAL tools print every line; only after they did, a is removed and l1 replaced by a plain file
    const bin = join(race, 'bin');
    mkdirSync(bin);
    const real = (tool: string) => execFileSync('sh', ['-c', `command -v ${tool}`]).toString().trim();
    writeFileSync(join(bin, 'sha256sum'), `#!/bin/sh\n${real('sha256sum')} "$@"; rc=$?\nrm -f '${f('a')}'\nexit $rc\n`, { mode: 0o755 });
    const afterL = `if [ "$1" = -L ]; then rm -f '${f('l1')}'; echo x >'${f('l1')}'; fi`;
    writeFileSync(join(bin, 'stat'), `#!/bin/sh\n${real('stat')} "$@"; rc=$?\n${afterL}\nexit $rc\n`, { mode: 0o755 });
    const probes = [...['a', 'b', 'c'].map((n) => fileProbe(f(n), { hash: true })), ...['l1', 'l2'].map((n) => fileProbe(f(n), { follow: true }))];
    const { script, outputs } = probeScript(probes);
    const outs = outputs((await sh(`PATH='${bin}':"$PATH"; export PATH\n${script}`)).stdout).map((o) => o.text);
    expect(outs[0]).toContain(`sha256=${sha256(Buffer.from('a\n'))}`);
    expect(outs[1]).toContain(`sha256=${sha256(Buffer.from('b\n'))}`);
    expect(outs[2]).toContain(`sha256=${sha256(Buffer.from('c\n'))}`);
    expect(outs[3]).toMatch(/^meta=600 /m);
    expect(outs[4]).toMatch(/^meta=644 /m);
  });
});
