/**
 * Every module's fixtures say what its apply sends to the host (pyinfra's operation fixtures do
 * the same), so a change in what reaches a host shows in review as a changed fixture.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { builtinModules } from './index.js';
import { fixturePlan, loadFixtures } from './test-helpers.js';

const here = fileURLToPath(new URL('.', import.meta.url));

describe('module fixtures list the commands', () => {
  for (const m of builtinModules.values()) {
    const dir = join(here, m.kind, 'fixtures');
    it(`${m.kind}: every fixture with a change has commands, every refresh its refreshCommands`, () => {
      expect(existsSync(dir), `${dir} exists`).toBe(true);
      const fixtures = loadFixtures(dir);
      const lacking = fixtures.flatMap(([file, fx]) => {
        if (fx.expected.error !== undefined) return [];
        const missing: string[] = [];
        const plan = fixturePlan(m, fx);
        if (plan.action !== 'none' && fx.expected.commands === undefined) missing.push(`${file}: ${plan.action} without expected.commands`);
        if (typeof fx.expected.refresh === 'string' && fx.expected.refreshCommands === undefined) missing.push(`${file}: refresh ${fx.expected.refresh} without expected.refreshCommands`);
        return missing;
      });
      expect(lacking).toEqual([]);
      expect(fixtures.some(([, fx]) => fx.expected.commands?.length), 'at least one fixture shows an apply').toBe(true);
      // the engine calls applyBatch for every resource of such a module: one fixture applies several
      if (m.applyBatch) expect(fixtures.some(([, fx]) => fx.batchWith?.length && fx.expected.commands)).toBe(true);
    });
  }
});
