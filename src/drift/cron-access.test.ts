import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { checkCronUserAccess } from './cron-access.js';
import type { DriftInvocation } from './schedule.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

// su to another user needs root; `nobody` stands for the cron user
describe.skipIf(process.getuid?.() !== 0)('checkCronUserAccess (as root, for nobody)', () => {
  const setup = () => {
    const open = mkdtempSync(join(tmpdir(), 'keel-cron-access-'));
    dirs.push(open);
    chmodSync(open, 0o755);
    const hidden = join(open, 'private');
    mkdirSync(join(hidden, 'keel'), { recursive: true, mode: 0o700 });
    chmodSync(hidden, 0o700);
    for (const f of ['main.js', 'loader.mjs']) writeFileSync(join(hidden, 'keel', f), '');
    writeFileSync(join(open, 'inventory.yaml'), '{}\n', { mode: 0o644 });
    const inv: DriftInvocation = {
      node: process.execPath,
      execArgv: ['--import', pathToFileURL(join(hidden, 'keel', 'loader.mjs')).href],
      script: join(hidden, 'keel', 'main.js'),
      inventory: join(open, 'inventory.yaml'),
      stateDir: join(open, 'state', '.keel'),
      vars: [],
    };
    return { open, hidden, inv };
  };

  it('names everything the user cannot reach, and installs nothing', () => {
    const { hidden, inv } = setup();
    expect(() => checkCronUserAccess(inv, 'nobody')).toThrow(
      `the cron job would run keel as nobody, who cannot read ${hidden}/keel/main.js; cannot read ${hidden}/keel/loader.mjs; cannot write ${inv.stateDir.replace('/state/.keel', '')} (the state dir's parent: ${inv.stateDir} does not exist yet): nothing was installed`,
    );
  });

  it('passes once keel, the inventory and the state dir are reachable', () => {
    const { open, hidden, inv } = setup();
    chmodSync(hidden, 0o755);
    chmodSync(join(hidden, 'keel'), 0o755);
    mkdirSync(join(open, 'state'), { mode: 0o777 });
    chmodSync(join(open, 'state'), 0o777);
    expect(() => checkCronUserAccess(inv, 'nobody')).not.toThrow();
  });
});
