import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { installTimer, systemdUnits } from './install.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('installTimer', () => {
  it('writes the units 0600 (they hold the command line and its --var values), through no temp file left', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-units-'));
    dirs.push(dir);
    const units = systemdUnits({ node: '/usr/bin/node', execArgv: [], script: '/opt/keel/main.js', inventory: '/srv/inv.yaml', stateDir: '/srv/.keel', vars: ['app=x'] }, 'daily');
    const { paths, changed } = installTimer(units, dir, false);
    expect(changed).toBe(true);
    for (const p of paths) expect(statSync(p).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(paths.map((p) => p.slice(dir.length + 1)).sort());
    expect(installTimer(units, dir, false).changed).toBe(false);
  });
});
