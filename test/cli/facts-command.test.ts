/**
 * keel facts through the real CLI on a `connection: local` host (the machine the tests run on,
 * a real Debian): what it prints is what this machine says of itself; an unreachable host is
 * named with its error and exit 1.
 */
import { readFileSync } from 'node:fs';
import { cpus, hostname } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { keel } from '../helpers/keel.js';
import { project } from '../engine/local-env.js';

const osId = /^ID=("?)([^"\n]*)\1$/m.exec(readFileSync('/etc/os-release', 'utf8'))![2];
const p = project({}, `hosts:
  here:
    connection: local
  gone:
    address: 127.0.0.1
    port: 1
    retries: 0
    connect_timeout: 2
`);
afterAll(() => p.remove());

describe('keel facts', () => {
  it('--json: the facts of the host as states see them', async () => {
    const r = await keel(['facts', 'here', '-i', p.inventory, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const f = JSON.parse(r.stdout).hosts.here;
    expect(f.os.id).toBe(osId);
    expect(f.hostname).toBe(hostname());
    expect(f.cpus).toBe(cpus().length);
    expect(f.memory_mb).toBeGreaterThan(100);
    expect(f.pkg_manager).toBe('apt');
    expect(Object.keys(f).sort()).toEqual(['addresses', 'arch', 'cpus', 'fqdn', 'hostname', 'init', 'kernel', 'memory_mb', 'os', 'pkg_manager']);
  });

  it('text: one facts.NAME = value line per fact, in the names states use', async () => {
    const r = await keel(['facts', 'here', '-i', p.inventory]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`here:\n  facts.os.family = `);
    expect(r.stdout).toContain(`  facts.os.id = ${JSON.stringify(osId)}\n`);
    expect(r.stdout).toContain(`  facts.cpus = ${cpus().length}\n`);
  });

  it('an unreachable host is named with its error, the others still print; exit 1', async () => {
    const r = await keel(['facts', '-i', p.inventory, '--json']);
    expect(r.code).toBe(1);
    const hosts = JSON.parse(r.stdout).hosts;
    expect(hosts.here.os.id).toBe(osId);
    expect(hosts.gone.error).toMatch(/127\.0\.0\.1/);
  });
});
