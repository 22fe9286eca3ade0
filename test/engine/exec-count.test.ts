/**
 * The promise behind keel's speed: a plan costs ONE exec per host whatever the number of
 * resources, and converge probes with that same single exec before applying. A host whose states
 * use facts costs two: the facts, then the probes. Counted with a
 * decorator around the real LocalTransport on three local hosts.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { ExecOptions, HoldOptions, PutOptions, Transport } from '../../src/transport/types.js';
import { project } from './local-env.js';
import { runLocal } from './run-local.js';

const HOSTS = ['h1', 'h2', 'h3'];
const FILES = 36;

/** 40 resources per host: 2 directories, 36 files, 2 guarded commands. */
const files = Array.from(
  { length: FILES },
  (_, i) => `  - file: "{{ root }}/etc/conf.d/f${i}.conf"\n    content: "host {{ inventory_hostname }} file ${i}\\n"\n`,
).join('');
const state = `resources:
  - directory: "{{ root }}/etc"
    mode: "0750"
  - directory: "{{ root }}/etc/conf.d"
${files}  - command: init
    run: "touch {{ root }}/initialised"
    creates: "{{ root }}/initialised"
  - command: marker
    run: "echo {{ inventory_hostname }} > {{ root }}/marker"
    unless: "test -f {{ root }}/marker"
`;

interface Calls {
  execs: string[];
  puts: string[];
  /** Held scripts (the run lock). */
  holds: string[];
}

class CountingTransport implements Transport {
  constructor(
    private readonly inner: Transport,
    readonly calls: Calls,
  ) {}
  get host() {
    return this.inner.host;
  }
  exec(script: string, opts?: ExecOptions) {
    // a probe batch is `sh -s` with the script on stdin: count what actually runs
    this.calls.execs.push(script === 'sh -s' ? String(opts?.stdin ?? '') : script);
    return this.inner.exec(script, opts);
  }
  hold(script: string, opts: HoldOptions) {
    this.calls.holds.push(script);
    return this.inner.hold!(script, opts);
  }
  put(path: string, content: string | Buffer, opts?: PutOptions) {
    this.calls.puts.push(path);
    return this.inner.put(path, content, opts);
  }
  close() {
    return this.inner.close();
  }
}

function counter() {
  const byHost = new Map<string, Calls>();
  const wrap = (t: Transport) => {
    const calls: Calls = { execs: [], puts: [], holds: [] };
    byHost.set(t.host, calls);
    return new CountingTransport(t, calls);
  };
  return { byHost, wrap };
}

describe('exec count per host (real LocalTransport, 3 hosts x 40 resources)', () => {
  const roots = new Map<string, string>();
  const p = project({}, '');
  afterAll(() => p.remove());
  p.write('states/many.yaml', state);
  const hostLines = HOSTS.map((h) => {
    roots.set(h, `${p.root}/${h}`);
    return `  ${h}:\n    connection: local\n    vars: {root: "${p.root}/${h}"}`;
  });
  p.write('inventory.yaml', `states: [many]\nhosts:\n${hostLines.join('\n')}\n`);
  const frames = (script: string) => (script.match(/; k_end \d+ \$\?/g) ?? []).length;

  it('plan: exactly one exec per host, no put, and every resource probed in it', async () => {
    const { byHost, wrap } = counter();
    const run = await runLocal('plan', p.inventory, { wrap });
    expect(run.code, run.text).toBe(2);
    expect(run.report.hosts.map((h) => h.host)).toEqual(HOSTS);
    for (const h of run.report.hosts) expect(h.resources).toHaveLength(40);
    expect([...byHost.keys()].sort()).toEqual(HOSTS);
    for (const h of HOSTS) {
      const calls = byHost.get(h)!;
      expect(calls.execs, h).toHaveLength(1);
      expect(calls.puts, h).toHaveLength(0);
      // the report counts the same round trips as the transport saw
      expect(run.report.hosts.find((x) => x.host === h)!.roundTrips, h).toBe(1);
      const script = calls.execs[0];
      // facts, the 2 commands' own snippets, and ONE shared file probe for the 38 paths
      expect(frames(script)).toBe(4);
      for (let i = 0; i < FILES; i++) expect(script).toContain(`${roots.get(h)}/etc/conf.d/f${i}.conf`);
      expect(script).toContain(`${roots.get(h)}/initialised`);
      expect(script).toContain(`${roots.get(h)}/marker`);
      // Each host probed its own paths only.
      for (const other of HOSTS.filter((x) => x !== h)) expect(script).not.toContain(roots.get(other)!);
    }
    expect(existsSync(roots.get('h1')!)).toBe(false);
  });

  it('converge: the one batched probe exec; then the changes, each verified and probed again in shared round trips', async () => {
    // Most of the host already matches (by hand): 3 files differ and both commands must run.
    for (const h of HOSTS) {
      mkdirSync(`${roots.get(h)}/etc/conf.d`, { recursive: true, mode: 0o750 });
      chmodSync(`${roots.get(h)}/etc`, 0o750);
      for (let i = 0; i < FILES; i++) writeFileSync(`${roots.get(h)}/etc/conf.d/f${i}.conf`, i < 3 ? 'stale\n' : `host ${h} file ${i}\n`);
    }
    const { byHost, wrap } = counter();
    const run = await runLocal('converge', p.inventory, { wrap });
    expect(run.code, run.text).toBe(0);
    for (const h of HOSTS) {
      const report = run.report.hosts.find((x) => x.host === h)!;
      expect(report.summary).toMatchObject({ changed: 5, ok: 35, failed: 0 });
      const calls = byHost.get(h)!;
      const [probe, ...rest] = calls.execs;
      expect(frames(probe)).toBe(4);
      expect(calls.puts.sort()).toEqual([0, 1, 2].map((i) => `${roots.get(h)}/etc/conf.d/f${i}.conf`));
      // The 3 files are written one after another (nothing but their own paths changed: no probe
      // between them). Before the command `init` runs, ONE round trip verifies the 3 files and
      // probes init again (files were written: its guard may see them); init runs; one round trip
      // verifies init and probes marker again; marker runs; one round trip verifies marker.
      const [verifyFiles, runInit, verifyInit, runMarker, verifyMarker] = rest;
      expect(rest).toHaveLength(5);
      expect([runInit, runMarker].map(frames)).toEqual([0, 0]);
      for (const i of [0, 1, 2]) expect(verifyFiles).toContain(`${roots.get(h)}/etc/conf.d/f${i}.conf`);
      expect(verifyFiles).toContain(`${roots.get(h)}/initialised`);
      expect(verifyInit).toContain(`${roots.get(h)}/initialised`);
      expect(verifyInit).toContain(`${roots.get(h)}/marker`);
      expect(verifyMarker).toContain(`${roots.get(h)}/marker`);
      expect(verifyMarker).not.toContain(`${roots.get(h)}/initialised`);
      // the report counts them all: the probe, 3 puts, 2 runs, 3 probes again
      expect(report.roundTrips).toBe(1 + 3 + 2 + 3);
      expect(readFileSync(`${roots.get(h)}/etc/conf.d/f1.conf`, 'utf8')).toBe(`host ${h} file 1\n`);
      expect(readFileSync(`${roots.get(h)}/marker`, 'utf8')).toBe(`${h}\n`);
    }
  });

  it('converge again: in sync, the probe exec only', async () => {
    const { byHost, wrap } = counter();
    const run = await runLocal('converge', p.inventory, { wrap });
    expect(run.code, run.text).toBe(0);
    expect(run.report.summary.changed).toBe(0);
    for (const h of HOSTS) {
      expect(byHost.get(h)!.execs).toHaveLength(1);
      expect(byHost.get(h)!.puts).toHaveLength(0);
    }
  });

  it('converge again under the host lock (as the CLI runs it): the plan\'s one round trip plus the lock\'s', async () => {
    const { byHost, wrap } = counter();
    const run = await runLocal('converge', p.inventory, { wrap, lock: { timeoutSeconds: 5, command: 'exec-count test', dir: `${p.root}/locks` } });
    expect(run.code, run.text).toBe(0);
    expect(run.report.summary.changed).toBe(0);
    for (const h of HOSTS) {
      const calls = byHost.get(h)!;
      expect([calls.execs.length, calls.holds.length, calls.puts.length], h).toEqual([1, 1, 0]);
      expect(run.report.hosts.find((x) => x.host === h)!.roundTrips, h).toBe(2);
    }
  });
});

describe('exec count with facts in the states (real LocalTransport)', () => {
  // `reads` renders facts into a template file; `plain` declares the same kind of resources without facts.
  const p = project({}, '');
  afterAll(() => p.remove());
  p.write('states/reads.yaml', `resources:\n  - directory: "{{ root }}"\n  - template: "{{ root }}/facts.txt"\n    source: facts.j2\n  - file: "{{ root }}/plain.txt"\n    content: "x\\n"\n`);
  p.write('states/facts.j2', '{{ facts.os.family }} {{ facts.cpus }} {{ facts.addresses | join(",") }}\n');
  p.write('states/plain.yaml', `resources:\n  - directory: "{{ root }}"\n  - file: "{{ root }}/plain.txt"\n    content: "{{ inventory_hostname }}\\n"\n`);
  p.write(
    'inventory.yaml',
    `hosts:\n  reads:\n    connection: local\n    states: [reads]\n    vars: {root: "${p.root}/reads"}\n  plain:\n    connection: local\n    states: [plain]\n    vars: {root: "${p.root}/plain"}\n`,
  );
  const frames = (script: string) => (script.match(/; k_end \d+ \$\?/g) ?? []).length;

  it('plan: two execs (the facts alone, then the probes) for the host that reads facts, one for the other', async () => {
    const { byHost, wrap } = counter();
    const run = await runLocal('plan', p.inventory, { wrap });
    expect(run.code, run.text).toBe(2);
    const [facts, probes] = byHost.get('reads')!.execs;
    expect(byHost.get('reads')!.execs).toHaveLength(2);
    expect(frames(facts)).toBe(1);
    expect(facts).toContain('os_like=');
    expect(frames(probes)).toBe(1); // the three paths in one shared file probe, no facts again
    expect(probes).not.toContain('os_like=');
    expect(byHost.get('plain')!.execs).toHaveLength(1);
    expect(Object.fromEntries(run.report.hosts.map((h) => [h.host, h.roundTrips]))).toEqual({ reads: 2, plain: 1 });
    expect(frames(byHost.get('plain')!.execs[0])).toBe(2); // host facts (for the modules) + its two paths in one shared file probe
    // the host that does not read facts gets only what the modules read, from builtins: no hostname -f, no ip, no os-release
    expect(byHost.get('plain')!.execs[0]).toContain('echo init=systemd');
    expect(byHost.get('plain')!.execs[0]).not.toMatch(/hostname -f|ip -o addr|os_like=|nproc/);
  });

  it('converge renders the host\'s own facts into the file; again: in sync with the same two execs', async () => {
    const first = await runLocal('converge', p.inventory);
    expect(first.code, first.text).toBe(0);
    const family = readFileSync('/etc/os-release', 'utf8').includes('ID=debian') ? 'debian' : '';
    const text = readFileSync(`${p.root}/reads/facts.txt`, 'utf8');
    expect(text).toMatch(new RegExp(`^${family} [1-9][0-9]* [0-9a-f.:,]+\\n$`));
    const { byHost, wrap } = counter();
    const again = await runLocal('converge', p.inventory, { wrap });
    expect(again.report.summary.changed, again.text).toBe(0);
    expect(byHost.get('reads')!.execs).toHaveLength(2);
    expect(byHost.get('plain')!.execs).toHaveLength(1);
  });
});

describe('converge cost does not grow with the number of changed files (real LocalTransport)', () => {
  /** A fresh host: a directory, a directory in it, and `n` files in that: all to create. */
  async function converge(n: number) {
    const p = project({}, '');
    try {
      const files = Array.from({ length: n }, (_, i) => `  - file: "{{ root }}/conf.d/f${i}.conf"\n    content: "file ${i}\\n"\n`).join('');
      p.write('states/many.yaml', `resources:\n  - directory: "{{ root }}"\n  - directory: "{{ root }}/conf.d"\n${files}`);
      p.write('inventory.yaml', `states: [many]\nhosts:\n  h1:\n    connection: local\n    vars: {root: "${p.root}/h1"}\n`);
      const { byHost, wrap } = counter();
      const run = await runLocal('converge', p.inventory, { wrap });
      expect(run.code, run.text).toBe(0);
      expect(run.report.hosts[0].summary).toMatchObject({ changed: n + 2, failed: 0 });
      expect(readFileSync(`${p.root}/h1/conf.d/f${n - 1}.conf`, 'utf8')).toBe(`file ${n - 1}\n`);
      const again = await runLocal('plan', p.inventory);
      expect(again.report.hosts[0].status, again.text).toBe('in-sync');
      return { calls: byHost.get('h1')!, roundTrips: run.report.hosts[0].roundTrips! };
    } finally {
      p.remove();
    }
  }

  it('4 files and 40 files cost the same execs (one put per file): a few per graph level', async () => {
    const small = await converge(4);
    const large = await converge(40);
    expect(small.calls.puts).toHaveLength(4);
    expect(large.calls.puts).toHaveLength(40);
    // probe; mkdir; verify it + probe the next directory again; mkdir; verify it + probe the 40
    // files again (their directory is new); the puts; verify the 40 files
    expect(large.calls.execs).toHaveLength(6);
    expect(small.calls.execs).toHaveLength(large.calls.execs.length);
    expect(large.roundTrips).toBe(6 + 40);
  });
});
