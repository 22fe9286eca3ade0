/** The lab on real hosts: SSH with strict host keys, systemd, users, apt proxy, :80 twice, reboot. */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { labSsh, labStatus } from '../../lab/index.js';
import { shq } from '../../src/shell.js';
import type { LabTestHost } from './global-setup.js';
import { labHosts, labSkip } from './lab-env.js';
import { viaProxy } from './proxy-status.js';

const ssh = (h: LabTestHost, script: string, opts: { user?: string; input?: string; timeoutMs?: number } = {}) =>
  labSsh({ address: h.address, identity: h.identity, knownHosts: h.knownHosts, user: opts.user ?? h.user }, script, {
    timeoutMs: opts.timeoutMs ?? 60_000,
    ...(opts.input !== undefined ? { input: opts.input } : {}),
  });

const bridgeOf = (h: LabTestHost) => h.address.replace(/\.\d+$/, '.1');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function httpGet(url: string, deadlineMs = 10_000): Promise<string> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      return await res.text();
    } catch (e) {
      if (Date.now() > until) throw e;
      await sleep(200);
    }
  }
}

describe.skipIf(labSkip)('keel lab (real hosts)', () => {
  const hosts = labSkip ? [] : labHosts();

  it('every host answers ssh under a strictly checked host key and reports its own hostname', async () => {
    expect(hosts.length).toBeGreaterThan(0);
    const names = await Promise.all(hosts.map(async (h) => (await ssh(h, 'hostname')).stdout.trim()));
    expect(names).toEqual(hosts.map((h) => h.name));
    const empty = join(tmpdir(), `keel-lab-empty-known-hosts-${process.pid}`);
    writeFileSync(empty, '');
    const r = await labSsh({ address: hosts[0].address, identity: hosts[0].identity, knownHosts: empty }, 'true');
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/host key verification failed/i);
  });

  it('systemd is running in every host', async () => {
    for (const h of hosts) {
      const r = await ssh(h, 'systemctl is-system-running --wait; systemctl --failed --no-legend --plain');
      expect(r.stdout.trim(), `${h.name}: ${r.stdout}`).toBe('running');
    }
  });

  it('deploy has passwordless sudo; sudopw needs its password, given over stdin', async () => {
    const h = hosts[0];
    expect((await ssh(h, 'sudo -n id -u', { user: 'deploy' })).stdout.trim()).toBe('0');
    expect((await ssh(h, 'sudo -n true', { user: 'sudopw' })).code).not.toBe(0);
    const r = await ssh(h, "sudo -S -p '' id -u", { user: 'sudopw', input: 'sudopw\n' });
    expect(r.stdout.trim()).toBe('0');
  });

  it('the apt proxy serves Debian and refuses anything else', async () => {
    expect(await viaProxy(bridgeOf(hosts[0]), 'http://deb.debian.org/debian/dists/bookworm/InRelease')).toBe(200);
    expect(await viaProxy(bridgeOf(hosts[0]), 'http://127.0.0.1:9/anything')).toBe(403);
  });

  it.skipIf(hosts.length < 2)('apt installs nginx through the proxy, and two hosts both serve :80', { timeout: 300_000 }, async () => {
    const [a, b] = hosts;
    const install = await ssh(a, 'DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx >/tmp/apt.log 2>&1 || { tail -20 /tmp/apt.log; exit 1; }; systemctl is-active nginx', { timeoutMs: 280_000 });
    expect(install.stdout.trim(), install.stdout + install.stderr).toBe('active');
    const marker = `served by ${b.name}`;
    const serve = await ssh(
      b,
      `mkdir -p /srv/www && printf '%s\\n' ${shq(marker)} > /srv/www/index.html && ` +
        'systemd-run --quiet --unit=keel-test-http --property=WorkingDirectory=/srv/www python3 -m http.server 80',
    );
    expect(serve.code, serve.stderr).toBe(0);
    expect(await httpGet(`http://${a.address}/`)).toMatch(/nginx/i);
    expect((await httpGet(`http://${b.address}/`)).trim()).toBe(marker);
    await ssh(b, 'systemctl stop keel-test-http');
  });

  it('a host that reboots comes back and answers ssh again', { timeout: 120_000 }, async () => {
    const h = hosts[hosts.length - 1];
    const bootId = (await ssh(h, 'cat /proc/sys/kernel/random/boot_id')).stdout.trim();
    expect(bootId).not.toBe('');
    await ssh(h, 'systemctl reboot', { timeoutMs: 10_000 });
    const until = Date.now() + 90_000;
    let now = bootId;
    while (Date.now() < until) {
      const r = await ssh(h, 'systemctl is-system-running --wait >/dev/null; cat /proc/sys/kernel/random/boot_id', { timeoutMs: 30_000 });
      now = r.code === 0 ? r.stdout.trim() : now;
      if (now !== bootId) break;
      await sleep(200);
    }
    expect(now).not.toBe(bootId);
    const status = await labStatus({ dir: process.env.KEEL_LAB_DIR });
    expect(status.find((s) => s.name === h.name)?.alive).toBe(true);
  });
  // labDown leaving nothing behind is checked by the global teardown on every run
  // (test/lab/global-setup.ts fails the run if any netns, veth, mount, cgroup or process is left).
});
