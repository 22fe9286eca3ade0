/** keel init through the real CLI: a project validate passes at once; never overwrites a file. */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keel } from '../helpers/keel.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-init-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('keel init', () => {
  it('writes an inventory, a state, a template and a bundle that keel validate passes', async () => {
    const r = await keel(['init', join(dir, 'proj')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`created ${join(dir, 'proj', 'bundles/greeting/bundle.yaml')}\n`);
    const v = await keel(['validate', '--json'], { cwd: join(dir, 'proj') });
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect(JSON.parse(v.stdout)).toEqual({ errors: [], hosts: 1, resources: 6 });
    const g = await keel(['graph', '--format', 'mermaid'], { cwd: join(dir, 'proj') });
    expect(g.stdout).toContain('"greeting[evening]/file:/srv/greetings/evening.txt"');
  });

  it('refuses to write over a file (or a dangling link) and writes nothing', async () => {
    const d = join(dir, 'taken');
    mkdirSync(join(d, 'states'), { recursive: true });
    writeFileSync(join(d, 'states/base.yaml'), 'mine\n');
    symlinkSync(join(dir, 'nowhere'), join(d, 'inventory.yaml'));
    const r = await keel(['init', d]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: keel init: ${join(d, 'inventory.yaml')}, ${join(d, 'states/base.yaml')} already exist; nothing written\n  hint: run it in an empty folder (keel init DIR makes one)\n`);
    expect(readFileSync(join(d, 'states/base.yaml'), 'utf8')).toBe('mine\n');
    expect(readdirSync(d).sort()).toEqual(['inventory.yaml', 'states']);
    expect(readdirSync(join(d, 'states'))).toEqual(['base.yaml']);
  });
});
