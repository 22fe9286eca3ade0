/**
 * `keel init` against a real lab host, as a new user runs it after `keel lab up 1`: the project
 * plans at once (lab1, with the lab's key and known_hosts where the inventory expects them),
 * converges, and plans in sync; the plan's counts are what converge then says it did.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keel, keelJson } from '../helpers/keel.js';
import { labHosts, labSkip } from '../lab/lab-env.js';
import { onHost } from './lab-inventory.js';

describe.skipIf(!!labSkip)('keel init, then plan and converge on lab1', () => {
  const h = labHosts()[0];
  const dir = mkdtempSync(join(tmpdir(), 'keel-init-lab-'));
  afterAll(async () => {
    await onHost(h, 'rm -rf /srv/hello /srv/greetings');
    rmSync(dir, { recursive: true, force: true });
  });

  it('plans at once, converges with the counts the plan gave, then is in sync', async () => {
    expect((await keel(['init'], { cwd: dir })).code).toBe(0);
    // where `keel lab up 1` would put them: this lab's key and known_hosts, and lab1's address
    mkdirSync(join(dir, '.keel/lab'), { recursive: true });
    copyFileSync(h.identity, join(dir, '.keel/lab/id_ed25519'));
    copyFileSync(h.knownHosts, join(dir, '.keel/lab/known_hosts'));
    const inv = join(dir, 'inventory.yaml');
    writeFileSync(inv, readFileSync(inv, 'utf8').replace('10.199.0.11', h.address));

    const plan = await keel(['plan'], { cwd: dir });
    expect(plan.code, plan.stdout + plan.stderr).toBe(2);
    expect(plan.stdout).toContain('lab1: Plan: 6 to add, 0 to change, 0 to destroy, 0 to run, 0 to refresh\n');
    expect(plan.stdout).toMatch(/^ {6}\+ mode = "0640"$/m);
    const converge = await keel(['converge'], { cwd: dir });
    expect(converge.code, converge.stdout + converge.stderr).toBe(0);
    expect(converge.stdout).toContain('lab1: Applied: 6 added, 0 changed, 0 destroyed, 0 run, 0 refreshed\n');
    const again = await keelJson(['plan'], { cwd: dir });
    expect(again.code).toBe(0);
    expect(await onHost(h, 'cat /srv/greetings/morning.txt; stat -c %a /srv/greetings/evening.txt')).toBe('Good morning from lab1\n600\n');
  });
});
