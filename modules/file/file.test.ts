import { readFileSync } from 'node:fs';
import { chmod, chown, lstat, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PrepareEnv } from '../../src/module.js';
import { MAX_DIFF_BYTES, parseFileProbe } from '../shared/index.js';
import { applyContext, checkFixture, convergeLive, loadFixtures, planLive, probeScript, runProbe, sh } from '../test-helpers.js';
import { fileModule as m, type FileSpec } from './file.js';

describe('file fixtures', () => {
  for (const [name, fx] of loadFixtures(new URL('./fixtures', import.meta.url).pathname)) {
    it(name, () => checkFixture(m, fx));
  }
});

describe('file on this machine', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keel-file-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));
  const modeOf = async (p: string) => ((await stat(p)).mode & 0o7777).toString(8);

  it('fixes a mode drift and notices a hand-made chmod again', async () => {
    const path = join(dir, 'a.conf');
    await writeFile(path, 'x = 1\n', { mode: 0o600 });
    const spec: FileSpec = { name: path, content: 'x = 1\n', mode: '644' };
    const { before, after } = await convergeLive(m, spec);
    expect(before).toMatchObject({ action: 'update', changes: [{ field: 'mode', from: '0600', to: '0644' }] });
    expect(before.diff).toBeUndefined();
    expect(after.action).toBe('none');
    expect(await modeOf(path)).toBe('644');
    await chmod(path, 0o666);
    expect((await planLive(m, spec)).changes).toEqual([{ field: 'mode', from: '0666', to: '0644' }]);
  });

  it('creates with a diff from /dev/null, then shows a hand edit as a diff, keeping unmanaged metadata', async () => {
    const path = join(dir, 'motd');
    const spec: FileSpec = { name: path, content: 'hello\nworld\n' };
    const { before, after } = await convergeLive(m, spec);
    expect(before.action).toBe('create');
    expect(before.diff).toContain('--- /dev/null\n');
    expect(before.diff).toContain('+hello\n+world\n');
    expect(after.action).toBe('none');
    expect(await readFile(path, 'utf8')).toBe('hello\nworld\n');
    expect(await modeOf(path)).toBe('644');

    await writeFile(path, 'hello\nmars\n');
    await chmod(path, 0o640);
    await chown(path, 65534, 65534);
    const drift = await planLive(m, spec);
    expect(drift.action).toBe('update');
    expect(drift.diff).toContain(`--- a${path}\n+++ b${path}\n`);
    expect(drift.diff).toContain('-mars\n+world\n');
    await m.apply(applyContext(), drift, spec);
    expect((await planLive(m, spec)).action).toBe('none');
    // mode and owner are not managed here: the atomic put must carry them over.
    expect(await modeOf(path)).toBe('640');
    expect((await stat(path)).uid).toBe(65534);
  });

  it('keeps a backup before overwriting when asked', async () => {
    const path = join(dir, 'b.conf');
    await writeFile(path, 'old\n');
    const { before, after } = await convergeLive(m, { name: path, content: 'new\n', backup: true });
    expect(before.action).toBe('update');
    expect(after.action).toBe('none');
    const baks = (await readdir(dir)).filter((f) => f.startsWith('b.conf.keel-bak-'));
    expect(baks).toHaveLength(1);
    expect(await readFile(join(dir, baks[0]), 'utf8')).toBe('old\n');
  });

  it('keeps both backups of two overwrites in the same second', async () => {
    const path = join(dir, 'twice.conf');
    await writeFile(path, 'first\n', { mode: 0o640 });
    // only Date is frozen: the two converges run for real, within one second of the clock
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-01-31T12:05:01.250Z') });
    try {
      await convergeLive(m, { name: path, content: 'second\n', backup: true });
      await convergeLive(m, { name: path, content: 'third\n', backup: true });
    } finally {
      vi.useRealTimers();
    }
    const baks = (await readdir(dir)).filter((f) => f.startsWith('twice.conf.keel-bak-20260131T120501Z')).sort();
    expect(baks).toHaveLength(2);
    const kept = await Promise.all(baks.map((b) => readFile(join(dir, b), 'utf8')));
    expect(kept.sort()).toEqual(['first\n', 'second\n']);
    // a backup keeps the old file's mode (cp -p over mktemp's 0600)
    for (const b of baks) expect(await modeOf(join(dir, b))).toBe('640');
  });

  it('fixes owner and group drift with chown only', async () => {
    const path = join(dir, 'owned');
    await writeFile(path, 'same\n');
    await chown(path, 65534, 65534);
    const spec: FileSpec = { name: path, content: 'same\n', owner: 'root', group: '0' };
    const { before, after } = await convergeLive(m, spec);
    expect(before.changes.map((c) => c.field)).toEqual(['owner', 'group']);
    expect(before.steps).toMatchObject({ op: 'attrs' });
    expect(after.action).toBe('none');
    expect((await stat(path)).uid).toBe(0);
  });

  it('removes the file with state absent', async () => {
    const path = join(dir, 'gone');
    await writeFile(path, 'x');
    const { before, after } = await convergeLive(m, { name: path, state: 'absent' });
    expect(before.action).toBe('delete');
    expect(after.action).toBe('none');
    await expect(stat(path)).rejects.toThrow();
  });

  it('replaces a symbolic link by a regular file', async () => {
    const target = join(dir, 'target');
    const path = join(dir, 'link');
    await writeFile(target, 'target\n');
    await symlink(target, path);
    const { before, after } = await convergeLive(m, { name: path, content: 'own\n' });
    expect(before.changes[0]).toEqual({ field: 'type', from: `link -> ${target}`, to: 'file' });
    expect(before.diff).toContain('-target\n+own\n');
    expect(after.action).toBe('none');
    expect((await lstat(path)).isFile()).toBe(true);
    expect(await readFile(target, 'utf8')).toBe('target\n');
  });

  it('reads a binary source in prepare and shows hashes, not a diff', async () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 0xff]);
    await writeFile(join(dir, 'logo.png'), bytes);
    const env: PrepareEnv = {
      stateDir: dir,
      vars: {},
      render: (t) => t,
      readFile: (rel) => readFileSync(join(dir, rel)),
    };
    const path = join(dir, 'out.png');
    await writeFile(path, Buffer.from([0, 0, 0]));
    const spec = m.prepare!({ name: path, source: 'logo.png' }, env);
    const { before, after } = await convergeLive(m, spec);
    expect(before.diff).toMatch(/^binary\/large content differs \(sha256 [0-9a-f]{12} → [0-9a-f]{12}\)/);
    expect(after.action).toBe('none');
    expect(await readFile(path)).toEqual(bytes);
  });

  it('does not ship large contents back, and still plans them', async () => {
    const path = join(dir, 'big');
    await writeFile(path, 'y'.repeat(MAX_DIFF_BYTES + 1));
    const spec: FileSpec = { name: path, content: 'small\n' };
    const out = await runProbe(m.probe(spec));
    expect(out.text).not.toContain('content=');
    expect(parseFileProbe(path, out).size).toBe(MAX_DIFF_BYTES + 1);
    const { before, after } = await convergeLive(m, spec);
    expect(before.diff).toMatch(/^binary\/large content differs/);
    expect(after.action).toBe('none');
  });

  it('ships contents back only when they differ', async () => {
    const path = join(dir, 'same');
    await writeFile(path, 'same\n');
    expect((await runProbe(m.probe({ name: path, content: 'same\n' }))).text).not.toContain('content=');
    expect((await runProbe(m.probe({ name: path, content: 'other\n' }))).text).toContain('content=');
  });

  it('refuses to replace a directory', async () => {
    const path = join(dir, 'sub');
    await mkdir(path);
    await expect(planLive(m, { name: path, content: 'x' })).rejects.toThrow('is a directory');
  });

  it('reports a file the probing user cannot read', async () => {
    await chmod(dir, 0o755);
    const path = join(dir, 'secret');
    await writeFile(path, 'secret\n', { mode: 0o600 });
    const { script, outputs } = probeScript([m.probe({ name: path, content: 'x' })]);
    const cur = parseFileProbe(path, outputs((await sh(`su -s /bin/sh nobody`, { stdin: script })).stdout)[0]);
    expect(cur).toMatchObject({ type: 'file', readable: false, mode: '0600' });
    expect(() => m.plan({ name: path, content: 'x' }, cur, undefined as never, { changed: () => false })).toThrow(
      `cannot read ${path}`,
    );
  });

  it('rejects relative paths and content with source', () => {
    const env = {} as PrepareEnv;
    expect(() => m.prepare!({ name: 'etc/x' }, env)).toThrow('must be absolute');
    expect(() => m.prepare!({ name: '/etc/x/' }, env)).toThrow('canonical');
    expect(() => m.prepare!({ name: '/etc/x', content: 'a', source: 'b' }, env)).toThrow('not both');
  });

  it('requires parent directories', () => {
    expect(m.autoRequires!({ name: '/etc/nginx/sites/app.conf' })).toEqual([
      'directory:/etc/nginx/sites',
      'directory:/etc/nginx',
      'directory:/etc',
    ]);
  });
});
