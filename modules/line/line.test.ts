import { chmod, chown, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resourceSchema } from '../../src/config/resource-schema.js';
import type { PrepareEnv } from '../../src/module.js';
import { applyContext, checkFixture, convergeLive, loadFixtures, planLive } from '../test-helpers.js';
import { lineModule as m, type LineSpec } from './line.js';

describe('line fixtures', () => {
  for (const [name, fx] of loadFixtures(new URL('./fixtures', import.meta.url).pathname)) {
    it(name, () => checkFixture(m, fx));
  }
});

describe('line schema and prepare', () => {
  const validate = new Ajv({ strict: true, allErrors: true }).compile(resourceSchema(m));
  const env = {} as PrepareEnv;

  it("is strict-mode valid and accepts its doc's examples", () => {
    const yaml = /```yaml\n([\s\S]*?)```/.exec(m.doc)![1];
    for (const item of parse(yaml) as Record<string, unknown>[]) {
      const { line: name, ...params } = item;
      expect(validate({ name, ...params }), JSON.stringify(validate.errors)).toBe(true);
      expect(() => m.prepare!({ name, ...params } as LineSpec, env)).not.toThrow();
    }
  });

  it('rejects what cannot work', () => {
    expect(validate({ name: '/x' })).toBe(false); // present needs text
    expect(validate({ name: '/x', state: 'absent', match: '^a' })).toBe(true);
    expect(validate({ name: '/x', state: 'absent', text: 'a' })).toBe(true);
    expect(validate({ name: '/x', text: 'a\nb' })).toBe(false);
    expect(validate({ name: '/x', text: 'a', match: '' })).toBe(false);
  });

  it('reports bad patterns, relative paths and attributes without create', () => {
    expect(() => m.prepare!({ name: '/x', text: 'a', match: '(' }, env)).toThrow(/match is not a valid regular expression/);
    expect(() => m.prepare!({ name: 'etc/x', text: 'a' }, env)).toThrow(/must be absolute/);
    expect(() => m.prepare!({ name: '/x', text: 'a', mode: '0600' }, env)).toThrow(/only apply with create: true/);
    expect(() => m.prepare!({ name: '/x', text: 'a', insert_after: 'a', insert_before: 'b' }, env)).toThrow(/not both/);
    expect(() => m.prepare!({ name: '/x', state: 'absent' }, env)).toThrow(/state absent needs match or text/);
  });
});

describe('line on this machine', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keel-line-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('plans the edit with a diff, applies it keeping mode and owner, then sees a hand edit again', async () => {
    const path = join(dir, 'sshd_config');
    await writeFile(path, '# sshd\n#PermitRootLogin prohibit-password\nUsePAM yes\n');
    await chmod(path, 0o600);
    await chown(path, 65534, 65534);
    const spec: LineSpec = { name: path, match: '^#?PermitRootLogin', text: 'PermitRootLogin no' };
    const { before, after } = await convergeLive(m, spec);
    expect(before.action).toBe('update');
    expect(before.diff).toContain(`--- a${path}\n+++ b${path}\n`);
    expect(before.diff).toContain('-#PermitRootLogin prohibit-password\n+PermitRootLogin no\n');
    expect(after.action).toBe('none');
    expect(await readFile(path, 'utf8')).toBe('# sshd\nPermitRootLogin no\nUsePAM yes\n');
    const st = await stat(path);
    expect((st.mode & 0o7777).toString(8)).toBe('600');
    expect(st.uid).toBe(65534);

    await writeFile(path, '# sshd\nPermitRootLogin yes\nUsePAM yes\n');
    const drift = await planLive(m, spec);
    expect(drift.action).toBe('update');
    expect(drift.diff).toContain('-PermitRootLogin yes\n+PermitRootLogin no\n');
    await m.apply(applyContext(), drift, spec);
    expect((await planLive(m, spec)).action).toBe('none');
  });

  it('creates a missing file only with create, with its mode', async () => {
    const path = join(dir, 'flags');
    await expect(planLive(m, { name: path, text: 'x=1' })).rejects.toThrow('file does not exist');
    const spec: LineSpec = { name: path, text: 'x=1', create: true, mode: '0640' };
    const { before, after } = await convergeLive(m, spec);
    expect(before.action).toBe('create');
    expect(after.action).toBe('none');
    expect(await readFile(path, 'utf8')).toBe('x=1\n');
    expect(((await stat(path)).mode & 0o7777).toString(8)).toBe('640');
  });

  it('removes lines, keeps a CRLF file CRLF, and backs up when asked', async () => {
    const path = join(dir, 'app.ini');
    await writeFile(path, 'a=1\r\nDEBUG=1\r\nb=2\r\nDEBUG=2');
    const spec: LineSpec = { name: path, match: '^DEBUG=', state: 'absent', backup: true };
    const { before, after } = await convergeLive(m, spec);
    expect(before.action).toBe('update');
    expect(after.action).toBe('none');
    expect(await readFile(path, 'utf8')).toBe('a=1\r\nb=2\r\n');
    const baks = (await readdir(dir)).filter((f) => f.startsWith('app.ini.keel-bak-'));
    expect(baks).toHaveLength(1);

    const add: LineSpec = { name: path, text: 'c=3', insert_after: '^a=' };
    expect((await convergeLive(m, add)).after.action).toBe('none');
    expect(await readFile(path, 'utf8')).toBe('a=1\r\nc=3\r\nb=2\r\n');
  });

  it('refuses to edit through a symbolic link', async () => {
    const real = join(dir, 'real');
    await writeFile(real, 'a\n');
    await symlink(real, join(dir, 'link'));
    await expect(planLive(m, { name: join(dir, 'link'), text: 'b' })).rejects.toThrow(/symbolic link to .*real/);
  });

  it('refuses a file over the size cap', async () => {
    const path = join(dir, 'big');
    await writeFile(path, 'x\n'.repeat(200 * 1024));
    await expect(planLive(m, { name: path, text: 'b' })).rejects.toThrow(/larger than 256 KiB \(409600 bytes\)/);
  });
});
