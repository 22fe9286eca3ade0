import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProbeScript, parseProbeOutput } from '../engine/probe-script.js';
import { hostAddresses } from './addresses.js';
import { FACTS_SNIPPET, osFamily, osReleaseSnippet, parseFacts } from './gather.js';
import { stateFacts } from './state-facts.js';

const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name);
const sh = (script: string, env?: NodeJS.ProcessEnv) => execFileSync('sh', ['-c', script], { env }).toString();

describe('os-release (real texts, sourced by sh as the snippet does)', () => {
  const cases: [file: string, family: string, id: string, version: string, codename: string][] = [
    ['debian-12', 'debian', 'debian', '12', 'bookworm'],
    ['ubuntu-24.04', 'debian', 'ubuntu', '24.04', 'noble'],
    ['fedora-40', 'redhat', 'fedora', '40', ''],
    ['rocky-9', 'redhat', 'rocky', '9.3', ''],
    ['alpine-3.19', 'alpine', 'alpine', '3.19.1', ''],
  ];
  it.each(cases)('%s -> family %s', (file, family, id, version, codename) => {
    const f = stateFacts(parseFacts(sh(osReleaseSnippet(['/nonexistent/os-release', fixture(`${file}.os-release`)]))));
    expect(f.os).toEqual({ family, id, version_id: version, codename });
  });

  it('no os-release at all: empty values, not an error', () => {
    expect(stateFacts(parseFacts(sh(osReleaseSnippet(['/nonexistent/a'])))).os).toEqual({ family: '', id: '', version_id: '', codename: '' });
  });

  it('family from ID_LIKE for derivatives, the ID itself otherwise', () => {
    expect(osFamily('linuxmint', 'ubuntu debian')).toBe('debian');
    expect(osFamily('almalinux', 'rhel centos fedora')).toBe('redhat');
    expect(osFamily('centos', 'rhel fedora')).toBe('redhat');
    expect(osFamily('Arch', '')).toBe('arch');
    expect(osFamily('opensuse-leap', 'suse opensuse')).toBe('opensuse-leap');
  });
});

describe('parseFacts', () => {
  it('a host without ip or hostname -I (the /proc/net fallback): hex IPv6, no loopback or link-local, empty counts as 0', () => {
    const f = parseFacts(readFileSync(fixture('no-ip-rocky.facts'), 'utf8'));
    expect(f).toMatchObject({ hostname: 'db1', fqdn: 'db1.internal', osFamily: 'redhat', cpus: 0, memoryMb: 0, init: 'other', pkgManager: 'none' });
    expect(f.addresses).toEqual(['10.9.8.7', 'fd00::7', '2001:db8:0:1::']);
  });

  it('ip -o addr output: prefixes dropped, IPv4 first, v6 in RFC 5952 form, fqdn falls back to the hostname', () => {
    const f = parseFacts(
      ['hostname=web1', 'fqdn=', 'cpus=4', 'mem_kb=8137628', 'addr=127.0.0.1/8', 'addr=::1/128', 'addr=2001:DB8:0:0:0:0:0:5/64', 'addr=fe80::1/64', 'addr=10.0.0.5/24', 'addr=10.0.0.5/24', 'addr=169.254.3.3/16'].join('\n'),
    );
    expect(f).toMatchObject({ fqdn: 'web1', cpus: 4, memoryMb: 7946 });
    expect(f.addresses).toEqual(['10.0.0.5', '2001:db8::5']);
  });

  it('addresses: the longest zero run compressed, a single zero group kept', () => {
    expect(hostAddresses([{ addr: '2001:db8:0:1:0:0:0:1' }, { addr: '2001:0db8:0000:0001:0001:0001:0001:0001' }, { addr: '1:0:0:2:0:0:0:3' }, { hex: 'zz' }, { addr: 'garbage' }])).toEqual([
      '2001:db8:0:1::1',
      '2001:db8:0:1:1:1:1:1',
      '1:0:0:2::3',
    ]);
  });
});

describe('FACTS_SNIPPET on this machine', () => {
  const dirs = mkdtempSync(join(tmpdir(), 'keel-facts-path-'));
  afterAll(() => rmSync(dirs, { recursive: true, force: true }));
  /** A PATH with every command of this machine but `hide`: a minimal host without them. */
  const pathWithout = (hide: string[]) => {
    const dir = join(dirs, hide.join('-') || 'all');
    mkdirSync(dir);
    for (const d of ['/usr/local/bin', '/usr/bin', '/bin', '/usr/sbin', '/sbin']) {
      let names: string[] = [];
      try {
        names = readdirSync(d);
      } catch {
        continue;
      }
      for (const n of names) {
        if (hide.includes(n)) continue;
        try {
          symlinkSync(join(d, n), join(dir, n));
        } catch {
          // the same command earlier in PATH wins, as it would
        }
      }
    }
    return dir;
  };
  const gather = (path: string) => {
    const { script, marker } = buildProbeScript([FACTS_SNIPPET]);
    const [out] = parseProbeOutput(execFileSync('sh', ['-c', script], { env: { PATH: path } }), marker, 1);
    return parseFacts(out.text);
  };

  it('the same addresses from ip, from hostname -I and from /proc/net; the rest as the machine says', () => {
    const withIp = gather(pathWithout([]));
    const noIp = gather(pathWithout(['ip']));
    const bare = gather(pathWithout(['ip', 'hostname']));
    const sorted = (a: string[]) => [...a].sort();
    expect(withIp.addresses.length).toBeGreaterThan(0);
    expect(withIp.addresses.some((a) => a.startsWith('127.') || a === '::1')).toBe(false);
    expect(sorted(noIp.addresses)).toEqual(sorted(withIp.addresses));
    expect(sorted(bare.addresses)).toEqual(sorted(withIp.addresses));
    expect(bare.hostname).toBe(withIp.hostname);
    expect(withIp.cpus).toBe(Number(sh('nproc')));
    expect(withIp.memoryMb).toBe(Math.floor(Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))![1]) / 1024));
    expect(withIp.osFamily).toBe('debian');
    expect(withIp.arch).toBe(sh('uname -m').trim());
  });
});
