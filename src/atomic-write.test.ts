import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './atomic-write.js';

describe('writeFileAtomic', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keel-write-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('replaces the file whole, 0600 unless told, and leaves no temp file', () => {
    const path = join(dir, 'sub', 'keel.prom');
    writeFileAtomic(path, 'a 1\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    writeFileAtomic(path, 'a 2\n', 0o644);
    expect(readFileSync(path, 'utf8')).toBe('a 2\n');
    expect(statSync(path).mode & 0o777).toBe(0o644);
    expect(readdirSync(join(dir, 'sub'))).toEqual(['keel.prom']);
  });

  it('never writes through a symlink planted at the old predictable temp names or the target', () => {
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'precious\n');
    const path = join(dir, 'keel.prom');
    // the names the old code used (pid-based) and a few guesses: all are symlinks to the victim
    for (const name of [`.keel.prom.${process.pid}.tmp`, '.keel.prom.tmp', 'keel.prom.tmp']) symlinkSync(victim, join(dir, name));
    symlinkSync(victim, path);
    writeFileAtomic(path, 'metrics\n');
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(readFileSync(path, 'utf8')).toBe('metrics\n');
    expect(statSync(path, { throwIfNoEntry: true }).isFile()).toBe(true);
  });

  it('leaves what is there and no temp file when the rename fails', () => {
    const target = join(dir, 'is-a-dir');
    writeFileAtomic(join(target, 'inner'), 'x');
    expect(() => writeFileAtomic(target, 'new\n')).toThrow();
    expect(readFileSync(join(target, 'inner'), 'utf8')).toBe('x');
    expect(readdirSync(dir)).toEqual(['is-a-dir']);
  });
});
