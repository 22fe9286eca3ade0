import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommandError } from '../../src/errors.js';
import { applyContext, checkFixture, convergeLive, loadFixtures, planLive, runProbe } from '../test-helpers.js';
import { commandModule as m, type CommandSpec } from './command.js';

describe('command fixtures', () => {
  for (const [name, fx] of loadFixtures(new URL('./fixtures', import.meta.url).pathname)) {
    it(name, () => checkFixture(m, fx));
  }
});

describe('command on this machine', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keel-cmd-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('runs until creates holds, and again once the file is removed by hand', async () => {
    const spec: CommandSpec = { name: 'init', run: 'echo "$GREETING" > marker', cwd: dir, creates: 'marker', env: { GREETING: "it's me" } };
    const { before, after } = await convergeLive(m, spec);
    expect(before).toMatchObject({ action: 'update', verifiable: true });
    expect(after.action).toBe('none');
    expect(await readFile(join(dir, 'marker'), 'utf8')).toBe("it's me\n");
    await rm(join(dir, 'marker'));
    expect((await planLive(m, spec)).action).toBe('update');
  });

  it('skips when unless exits 0, and the check output cannot fool the parser', async () => {
    const f = join(dir, 'log');
    const spec: CommandSpec = { name: 'append', run: `echo line >> ${f}`, unless: `echo guard=creates; grep -q line ${f}` };
    const { before, after } = await convergeLive(m, spec);
    expect(before.action).toBe('update');
    expect(after.action).toBe('none');
    expect(await readFile(f, 'utf8')).toBe('line\n');
  });

  it('runs only when onlyif exits 0', async () => {
    expect((await planLive(m, { name: 'x', run: 'true', onlyif: 'false' })).action).toBe('none');
    expect((await planLive(m, { name: 'x', run: 'true', onlyif: 'true' })).action).toBe('update');
  });

  it('without guards always runs and says it cannot be verified', async () => {
    const { before, after } = await convergeLive(m, { name: 'x', run: 'true' });
    expect(before.verifiable).toBe(false);
    expect(after.action).toBe('update');
  });

  it('follows onchanges', async () => {
    expect((await planLive(m, { name: 'x', run: 'true', onchanges: ['file:/a'] }, { 'file:/a': false })).action).toBe('none');
    expect((await planLive(m, { name: 'x', run: 'true', onchanges: ['file:/a'] }, { 'file:/a': true })).action).toBe('update');
  });

  it('runs as another user with the guards run as that user too', async () => {
    await chmod(dir, 0o777);
    const out = join(dir, 'who');
    const spec: CommandSpec = { name: 'who', run: `id -un > ${out}; echo "$X" >> ${out}`, user: 'nobody', env: { X: 42 }, unless: `test -O ${out}` };
    const { before, after } = await convergeLive(m, spec);
    expect(before.action).toBe('update');
    expect(after.action).toBe('none');
    expect(await readFile(out, 'utf8')).toBe('nobody\n42\n');
    expect((await stat(out)).uid).toBe(65534);
  });

  it('plans a run when cwd or user do not exist yet, without failing the probe', async () => {
    const missing = join(dir, 'nope');
    const p1 = await planLive(m, { name: 'x', run: 'true', cwd: missing, unless: 'true' });
    expect(p1.changes).toContainEqual({ field: 'cwd', from: null, to: missing });
    const p2 = await planLive(m, { name: 'x', run: 'true', user: 'keel-no-such-user', unless: 'true' });
    expect(p2.changes).toContainEqual({ field: 'user', from: null, to: 'keel-no-such-user' });
    expect((await runProbe(m.probe({ name: 'x', run: 'true', creates: '/' }))).text).toBe('guard=creates\n');
  });

  it('fails with the command, exit code and last stderr lines', async () => {
    const spec: CommandSpec = { name: 'boom', run: 'echo one >&2; echo two >&2; exit 3' };
    const plan = await planLive(m, spec);
    const err = await m.apply(applyContext(), plan, spec).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandError);
    expect(err).toMatchObject({ command: spec.run, exitCode: 3 });
    expect((err as CommandError).message).toContain('one\ntwo');
  });

  it('kills a command past its timeout', async () => {
    const spec: CommandSpec = { name: 'slow', run: 'sleep 10', timeout: 1 };
    const err = await m.apply(applyContext(), await planLive(m, spec), spec).catch((e: unknown) => e);
    // had it not been killed, sleep would have finished and the command succeeded
    expect((err as CommandError).message).toContain('timed out after 1 s');
  });

  it('rejects a relative creates without cwd and requires cwd and user', () => {
    expect(() => m.prepare!({ name: 'x', run: 'true', creates: 'rel' }, undefined as never)).toThrow('relative');
    expect(m.autoRequires!({ name: 'x', run: 'true', cwd: '/srv/app', user: 'app' })).toEqual(['directory:/srv/app', 'user:app']);
  });
});
