import { chmod, chown, mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkFixture, convergeLive, loadFixtures, planLive } from '../test-helpers.js';
import { directoryModule as m } from './directory.js';

describe('directory fixtures', () => {
  for (const [name, fx] of loadFixtures(new URL('./fixtures', import.meta.url).pathname)) {
    it(name, () => checkFixture(m, fx));
  }
});

describe('directory on this machine', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keel-dir-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));
  const modeOf = async (p: string) => ((await stat(p)).mode & 0o7777).toString(8);

  it('creates with mode and owner, then notices hand changes', async () => {
    const path = join(dir, 'a', 'b');
    const spec = { name: path, mode: '0750', owner: 'nobody', group: 'nogroup' };
    const { before, after } = await convergeLive(m, spec);
    expect(before.action).toBe('create');
    expect(after.action).toBe('none');
    expect(await modeOf(path)).toBe('750');
    expect((await stat(path)).uid).toBe(65534);

    await chmod(path, 0o777);
    await chown(path, 0, 0);
    const drift = await planLive(m, spec);
    expect(drift.changes).toEqual([
      { field: 'mode', from: '0777', to: '0750' },
      { field: 'owner', from: 'root', to: 'nobody' },
      { field: 'group', from: 'root', to: 'nogroup' },
    ]);
    expect((await convergeLive(m, spec)).after.action).toBe('none');
  });

  it('defaults to 0755 on create and leaves an existing mode alone', async () => {
    const path = join(dir, 'd');
    const { before, after } = await convergeLive(m, { name: path });
    expect(before.changes).toContainEqual({ field: 'mode', from: null, to: '0755' });
    expect(after.action).toBe('none');
    await chmod(path, 0o700);
    expect((await planLive(m, { name: path })).action).toBe('none');
  });

  it('removes an empty directory, refuses a full one without force, removes it with force', async () => {
    const empty = join(dir, 'empty');
    await mkdir(empty);
    const r1 = await convergeLive(m, { name: empty, state: 'absent' as const });
    expect(r1.before.action).toBe('delete');
    expect(r1.after.action).toBe('none');

    const full = join(dir, 'full');
    await mkdir(full);
    await writeFile(join(full, 'f'), 'x');
    await expect(planLive(m, { name: full, state: 'absent' as const })).rejects.toThrow('not empty');
    const r2 = await convergeLive(m, { name: full, state: 'absent' as const, force: true });
    expect(r2.before.action).toBe('delete');
    expect(r2.after.action).toBe('none');
  });

  it('treats a symlink to a directory as the directory and refuses a file', async () => {
    const real = join(dir, 'real');
    await mkdir(real, { mode: 0o755 });
    await symlink(real, join(dir, 'alias'));
    expect((await planLive(m, { name: join(dir, 'alias'), mode: '0755' })).action).toBe('none');
    await writeFile(join(dir, 'file'), 'x');
    await expect(planLive(m, { name: join(dir, 'file') })).rejects.toThrow('not a directory');
  });

  it('requires its parent directory', () => {
    expect(m.autoRequires!({ name: '/srv/app/static' })).toEqual(['directory:/srv/app']);
    expect(m.autoRequires!({ name: '/srv' })).toEqual([]);
  });
});
