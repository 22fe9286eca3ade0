/**
 * A second lab, by name, beside the test lab: its own host names, bridge, subnet and apt proxy;
 * taking it down leaves the test lab's hosts, bridge and proxy up and nothing of its own behind.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { labDown, labLeftovers, labSsh, labStatus, labUp } from '../../lab/index.js';
import type { LabTestHost } from './global-setup.js';
import { labHosts, labSkip } from './lab-env.js';
import { viaProxy } from './proxy-status.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const side = { name: 'side', dir: join(repo, '.keel', 'side-lab') };

const ssh = (h: LabTestHost, script: string) =>
  labSsh({ address: h.address, identity: h.identity, knownHosts: h.knownHosts, user: h.user }, script, { timeoutMs: 60_000 });

describe.skipIf(labSkip)('a named lab beside the test lab', () => {
  const testHosts = labSkip ? [] : labHosts();
  const testBridge = testHosts[0]?.address.replace(/\.\d+$/, '.1') ?? '';
  // a run that died before its teardown leaves the side lab in the same dir: start from nothing
  afterAll(() => labDown(side));

  it('boots its own host on its own bridge and subnet, and goes down alone', { timeout: 600_000 }, async () => {
    await labDown(side);
    const info = await labUp(1, side);
    const [host] = info.hosts;
    expect(host.name).toBe('side1');
    expect(info.bridge.name).toBe('keel-side0');
    expect(info.bridge.address).toMatch(/^10\.198\.\d+\.1$/);
    expect(host.address.replace(/\.\d+$/, '.1')).toBe(info.bridge.address);
    const sideHost: LabTestHost = { name: host.name, address: host.address, user: 'root', identity: info.identity, knownHosts: info.knownHosts };
    const inside = await ssh(sideHost, `hostname; exec 3<>/dev/tcp/${info.bridge.address}/3142 && echo proxy-reachable`);
    expect(inside.stdout.split('\n').slice(0, 2), inside.stderr).toEqual(['side1', 'proxy-reachable']);
    expect(await viaProxy(info.bridge.address, 'http://127.0.0.1:9/anything')).toBe(403);
    expect(await labLeftovers(side)).toContain('link keel-side0');

    await labDown(side);
    expect(await labLeftovers(side)).toEqual([]);
    expect(await labStatus(side)).toEqual([]);
    expect(existsSync('/sys/class/net/keel-side0')).toBe(false);
    // the test lab is untouched: every host answers, its bridge and its apt proxy are up
    const names = await Promise.all(testHosts.map(async (h) => (await ssh(h, 'hostname')).stdout.trim()));
    expect(names).toEqual(testHosts.map((h) => h.name));
    expect(existsSync('/sys/class/net/keel-lab0')).toBe(true);
    expect(await viaProxy(testBridge, 'http://127.0.0.1:9/anything')).toBe(403);
  });

  it('boots a host that is not ready in time again, then names it', { timeout: 300_000 }, async () => {
    await labDown(side);
    const log: string[] = [];
    // a deadline of 0 s: no host can be ready in time, so both attempts fail, deterministically
    const up = labUp(1, { ...side, readyTimeoutS: 0, log: (m) => log.push(m) });
    await expect(up).rejects.toThrow(/1 of 1 lab host\(s\) did not come up: side1 \(side1 \(10\.198\.\d+\.11\) not ready after 0 s/);
    expect(log.filter((m) => m.startsWith('side1 did not come up'))).toEqual([
      expect.stringMatching(/on attempt 1: .*; booting it again \(attempt 2 of 2\)$/),
      expect.stringMatching(/on attempt 2: .*; giving up$/),
    ]);
    await labDown(side);
    expect(await labLeftovers(side)).toEqual([]);
  });
});
