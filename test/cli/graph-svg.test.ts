/**
 * keel graph of the example stack (inventory.yaml: db1 and web1) through the real CLI, rendered
 * by Debian's Graphviz (.ci/run installs it): one SVG document, a cluster per host, and the nodes
 * of a saved plan coloured by what it said.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, keel } from '../helpers/keel.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-graph-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const inventory = join(REPO, 'inventory.yaml');

describe('keel graph --format svg of the example stack', () => {
  it('is one SVG document with a cluster per host and the resources as nodes', async () => {
    const out = join(dir, 'graph.svg');
    const r = await keel(['graph', '-i', inventory, '--format', 'svg', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const svg = readFileSync(out, 'utf8');
    expect(svg.match(/<svg /g)).toHaveLength(1);
    // Graphviz writes a cluster as <g class="cluster"> with its label as text
    expect(svg.match(/<g id="clust\d+" class="cluster">/g)).toHaveLength(2);
    expect(svg).toMatch(/<text[^>]*>db1<\/text>/);
    expect(svg).toMatch(/<text[^>]*>web1<\/text>/);
    expect(svg).toMatch(/<title>web1\/service:nginx<\/title>/);
    expect(svg).toMatch(/<text[^>]*>service:nginx<\/text>/);
    // an edge: Graphviz escapes its '->' title
    expect(svg).toContain('<title>web1/pkg:nginx&#45;&gt;web1/file:/etc/nginx/sites&#45;enabled/default</title>');
  });

  it('--plan colours the nodes of a saved report; png is a PNG', async () => {
    const plan = join(dir, 'plan.json');
    writeFileSync(plan, JSON.stringify({ hosts: [{ host: 'web1', resources: [{ id: 'pkg:nginx', action: 'create', status: 'planned' }, { id: 'service:nginx', action: 'none', status: 'ok' }] }] }));
    const svg = await keel(['graph', '-i', inventory, '-l', 'web1', '--format', 'svg', '--plan', plan]);
    expect(svg.code, svg.stderr).toBe(0);
    // one host: no cluster, nodes named by their ids
    expect(svg.stdout).not.toContain('class="cluster"');
    const node = (id: string) => new RegExp(`<title>${id}</title>\\s*(?:<g [^>]*><a [^>]*>\\s*)?<polygon fill="([^"]+)"`).exec(svg.stdout)?.[1];
    expect(node('pkg:nginx')).toBe('#ffe8a3');
    expect(node('service:nginx')).toBe('#d9f2d9');
    const png = join(dir, 'g.png');
    expect((await keel(['graph', '-i', inventory, '--format', 'png', '-o', png])).code).toBe(0);
    expect(readFileSync(png).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  });

  it('a --plan that is not a report is a clear error', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, 'not json');
    const r = await keel(['graph', '-i', inventory, '--plan', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: --plan ${bad}: not a keel report (JSON)\n  hint: give a plan saved by \`keel plan --out plan.keel\`, or the output of \`keel plan --json > plan.json\`\n`);
  });
});
