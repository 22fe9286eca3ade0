import { mkdtempSync, mkdirSync, utimesSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sh } from '../test-helpers.js';
import { aptArgv, aptProvider, aptRefreshScript, aptScript } from './apt.js';

const OPTS = ['-y', '-q', '-o', 'DPkg::Lock::Timeout=300', '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold'];

describe('apt command builders', () => {
  it('installs everything in one apt-get install', () => {
    expect(aptArgv([{ name: 'nginx', op: 'install' }, { name: 'curl', op: 'install' }])).toEqual(['apt-get', 'install', ...OPTS, 'nginx', 'curl']);
  });
  it('pins versions and allows the downgrade a pin may mean', () => {
    expect(aptArgv([{ name: 'nginx', op: 'install', version: '1.22.1-9' }, { name: 'curl', op: 'install' }])).toEqual([
      'apt-get', 'install', ...OPTS, '--allow-downgrades', 'nginx=1.22.1-9', 'curl',
    ]);
  });
  it('removes in the same transaction as installs', () => {
    expect(aptArgv([{ name: 'exim4-daemon-light', op: 'remove' }, { name: 'postfix', op: 'install' }])).toEqual([
      'apt-get', 'install', ...OPTS, 'exim4-daemon-light-', 'postfix',
    ]);
  });
  it('uses apt-get remove when there is nothing to install', () => {
    expect(aptArgv([{ name: 'telnet', op: 'remove' }, { name: 'ftp', op: 'remove' }])).toEqual(['apt-get', 'remove', ...OPTS, 'telnet', 'ftp']);
  });
  it('builds nothing for no ops', () => {
    expect(aptArgv([])).toEqual([]);
    expect(aptProvider.transaction([])).toEqual([]);
  });
  it('quotes every word and sets a noninteractive frontend', () => {
    expect(aptScript(['apt-get', 'install', 'a b', "it's"])).toBe(`DEBIAN_FRONTEND=noninteractive apt-get install 'a b' 'it'\\''s'`);
    expect(aptProvider.transaction([{ name: 'g++', op: 'install', version: '4:12.2.0-3' }])).toEqual([
      `DEBIAN_FRONTEND=noninteractive apt-get install ${OPTS.join(' ')} --allow-downgrades g++=4:12.2.0-3`,
    ]);
  });
});

describe('apt probe parse', () => {
  it('reads dpkg status and candidate', () => {
    expect(aptProvider.parse('x', 'dpkg=install ok installed\t1.0-1\ncandidate=1.0-2\n')).toEqual({ installed: true, version: '1.0-1', candidate: '1.0-2' });
    expect(aptProvider.parse('x', 'candidate=(none)\n')).toEqual({ installed: false, version: null, candidate: null });
    expect(aptProvider.parse('x', 'dpkg=hold ok installed\t2.0\n')).toEqual({ installed: true, version: '2.0' });
    expect(aptProvider.parse('x', 'dpkg=install reinstreq half-installed\t2.0\n').broken).toMatch(/^half-installed/);
  });
});

describe('apt index refresh script (real sh, temp paths)', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const setup = (opts: { packages: boolean; ageSec: number; stampAgeSec?: number }) => {
    dir = mkdtempSync(join(tmpdir(), 'keel-apt-'));
    const lists = join(dir, 'lists');
    mkdirSync(lists);
    if (opts.packages) writeFileSync(join(lists, 'deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages'), '');
    const t = Date.now() / 1000 - opts.ageSec;
    utimesSync(lists, t, t);
    const stamp = join(dir, 'periodic', 'update-success-stamp');
    if (opts.stampAgeSec !== undefined) {
      mkdirSync(join(dir, 'periodic'));
      writeFileSync(stamp, '');
      const s = Date.now() / 1000 - opts.stampAgeSec;
      utimesSync(stamp, s, s);
    }
    return { lists, stamp, update: 'echo UPDATED' };
  };

  it('skips a fresh index', async () => {
    const paths = setup({ packages: true, ageSec: 60 });
    const r = await sh(aptRefreshScript(3600, paths));
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe('');
  });
  it('refreshes an old index and touches the stamp', async () => {
    const paths = setup({ packages: true, ageSec: 7200 });
    const r = await sh(aptRefreshScript(3600, paths));
    expect(r.stdout.toString()).toBe('UPDATED\n');
    expect(existsSync(paths.stamp)).toBe(true);
  });
  it('trusts a recent stamp over an old lists directory', async () => {
    const paths = setup({ packages: true, ageSec: 7200, stampAgeSec: 10 });
    expect((await sh(aptRefreshScript(3600, paths))).stdout.toString()).toBe('');
  });
  it('always refreshes when there is no Packages index (fresh container)', async () => {
    const paths = setup({ packages: false, ageSec: 0 });
    expect((await sh(aptRefreshScript(3600, paths))).stdout.toString()).toBe('UPDATED\n');
  });
  it('refreshes every run with age 0', async () => {
    const paths = setup({ packages: true, ageSec: 0, stampAgeSec: 0 });
    expect((await sh(aptRefreshScript(0, paths))).stdout.toString()).toBe('UPDATED\n');
  });
  it('fails when apt-get update fails', async () => {
    const paths = { ...setup({ packages: true, ageSec: 7200 }), update: 'sh -c "exit 100"' };
    expect((await sh(aptRefreshScript(3600, paths))).code).toBe(100);
  });
});
