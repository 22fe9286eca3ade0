/**
 * The examples of docs/states.md "Conditions" and "Loops" do what the text around them says:
 * each section's first YAML block is the inventory's vars, its second the state; the ids the
 * prose names are declared, the others skipped, and the plan line shown is the one keel prints.
 */
import { builtinModules } from '../../modules/index.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadInventory } from '../../src/config/index.js';
import { compileJobs } from '../../src/engine/compile.js';
import { REPO, keel } from '../helpers/keel.js';
import { project, type Project } from '../engine/local-env.js';

const doc = readFileSync(join(REPO, 'docs', 'states.md'), 'utf8');

function section(title: string): { vars: string; state: string; text: string } {
  const start = doc.indexOf(`\n## ${title}`);
  const end = doc.indexOf('\n## ', start + 1);
  const text = doc.slice(start, end);
  const blocks = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
  expect(blocks.length, `${title}: two yaml blocks`).toBeGreaterThanOrEqual(2);
  return { vars: blocks[0], state: blocks[1], text };
}

const projects: Project[] = [];
afterAll(() => projects.forEach((p) => p.remove()));

function compileExample(title: string) {
  const { vars, state, text } = section(title);
  const p = project({ app: state }, `${vars}hosts:\n  web1:\n    connection: local\n    states: [app]\n`);
  projects.push(p);
  const [job] = compileJobs(loadInventory(p.inventory), ['web1'], builtinModules);
  return { p, text, job, ids: job.resources.map((r) => r.id), skipped: (job.skipped ?? []).map((s) => s.id) };
}

describe('docs/states.md examples', () => {
  it('Conditions: declares and skips what the text says, and plan prints the skip line shown', async () => {
    const { p, text, job, ids, skipped } = compileExample('Conditions');
    expect(ids).toEqual(['file:/etc/motd', 'file:/etc/app/debug.conf']);
    expect(job.resources[1].require).toEqual([]); // its dependency is skipped: absent, not unknown
    expect(skipped).toEqual(['file:/etc/app/production.conf', 'service:app-metrics']);
    const shown = /\n {6}(file:\/etc\/app\/production\.conf .*is false)\n/.exec(text)![1];
    // plan only reads: the controller is probed, nothing is changed
    const plan = await keel(['plan', '-i', 'inventory.yaml', '--quiet'], { cwd: p.dir, env: { ...process.env, NO_COLOR: '1' } });
    expect(plan.stderr).toBe('');
    expect(plan.stdout).toContain(`\n    ${shown}\n`);
  });

  it('Loops: declares one resource per item, the condition per item', () => {
    const { ids, skipped } = compileExample('Loops');
    expect(ids).toEqual([
      'file:/etc/nginx/conf.d/shop.conf',
      'file:/etc/nginx/conf.d/blog.conf',
      'user:alice',
      'user:bob',
      'site-shop',
      'site-blog',
      'site-docs',
    ]);
    expect(skipped).toEqual(['file:/etc/nginx/conf.d/docs.conf']);
  });
});
