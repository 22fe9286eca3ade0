import { chownSync, lstatSync, mkdirSync, readdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalTransport } from './local.js';

const root = process.getuid?.() === 0 || process.env.CI === 'true';

describe('LocalTransport.put (the atomic write every transport shares)', () => {
  const t = new LocalTransport('localhost');
  const dir = mkdtempSync(join(tmpdir(), 'keel-put-'));

  it.runIf(root)('keeps setuid bits when it also changes the owner (chown before chmod)', async () => {
    await t.put(join(dir, 'suid'), '#!/bin/sh\n', { mode: '4755', owner: 'nobody' });
    const st = statSync(join(dir, 'suid'));
    expect((st.mode & 0o7777).toString(8)).toBe('4755');
    expect(st.uid).not.toBe(0);
  });

  it('refuses to drop the file into a directory that sits at the target path, leaving nothing behind', async () => {
    mkdirSync(join(dir, 'adir'));
    await expect(t.put(join(dir, 'adir'), 'x')).rejects.toThrow(/cannot write/);
    expect(statSync(join(dir, 'adir')).isDirectory()).toBe(true);
    expect(readdirSync(join(dir, 'adir'))).toEqual([]);
  });

  it("removes the temp files a killed put of the same user left beside the target, and nothing else", async () => {
    const d = mkdtempSync(join(tmpdir(), 'keel-stale-'));
    const outside = join(mkdtempSync(join(tmpdir(), 'keel-outside-')), 'victim');
    writeFileSync(outside, 'keep me');
    writeFileSync(join(d, '.keel-tmp-Ab12Cd'), 'half a file');
    writeFileSync(join(d, '.keel-config'), 'a file of the user');
    writeFileSync(join(d, '.keel-tmp-toolong1'), 'not a temp name');
    symlinkSync(outside, join(d, '.keel-tmp-Lnk123'));
    mkdirSync(join(d, '.keel-tmp-Dir123'));
    if (root) {
      writeFileSync(join(d, '.keel-tmp-Other1'), "another user's");
      chownSync(join(d, '.keel-tmp-Other1'), 65534, 65534);
    }
    await t.put(join(d, 'target'), 'new');
    expect(readdirSync(d).sort()).toEqual(
      ['.keel-config', '.keel-tmp-Dir123', '.keel-tmp-Lnk123', ...(root ? ['.keel-tmp-Other1'] : []), '.keel-tmp-toolong1', 'target'].sort(),
    );
    expect(readFileSync(outside, 'utf8')).toBe('keep me');
    expect(readFileSync(join(d, 'target'), 'utf8')).toBe('new');
  });

  it('removes them too when the target sits in a directory reached by a symbolic link', async () => {
    const real = mkdtempSync(join(tmpdir(), 'keel-stale-real-'));
    const link = join(mkdtempSync(join(tmpdir(), 'keel-stale-link-')), 'current');
    symlinkSync(real, link);
    writeFileSync(join(real, '.keel-tmp-Zz9876'), 'half');
    await t.put(join(link, 'target'), 'new');
    expect(readdirSync(real).sort()).toEqual(['target']);
  });

  it('replaces a symlink by a regular file with the given mode', async () => {
    writeFileSync(join(dir, 'real'), 'old');
    symlinkSync(join(dir, 'real'), join(dir, 'link'));
    await t.put(join(dir, 'link'), 'new', { mode: '0640' });
    expect(lstatSync(join(dir, 'link')).isSymbolicLink()).toBe(false);
    expect((statSync(join(dir, 'link')).mode & 0o777).toString(8)).toBe('640');
    expect(readFileSync(join(dir, 'real'), 'utf8')).toBe('old');
  });
});

describe('LocalTransport.exec', () => {
  it('kills the whole script on timeout, children included', async () => {
    const t = new LocalTransport('localhost');
    const marker = join(mkdtempSync(join(tmpdir(), 'keel-to-')), 'after-sleep');
    // without killing the process group, `sleep` would hold the pipes open and exec would hang
    await expect(t.exec(`sleep 30; touch ${marker}`, { timeoutMs: 300 })).rejects.toThrow(/timed out/);
    const ps = await t.exec(`pgrep -f '[s]leep 30; touch ${marker}' || true`);
    expect(ps.stdout.toString().trim()).toBe('');
  });

  it.runIf(root)('runs as become_user through runuser when keel is root', async () => {
    const t = new LocalTransport('localhost', 'nobody');
    expect((await t.exec('id -un', { sudo: true })).stdout.toString()).toBe('nobody\n');
    expect((await t.exec('id -un')).stdout.toString()).toBe('root\n');
  });
});
