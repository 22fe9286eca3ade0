/**
 * docs/getting-started.md's "A project of your own" run as written, line by line, against a real
 * lab host: `keel init`, validate, plan --out, show, graph as SVG coloured by the plan, converge
 * of the saved plan. A line's comment that quotes the output (`# lab1: Plan: 6 to add, ...`) is
 * checked (the part before "..."). `keel lab up 1` is the test lab's lab1 (its key, known_hosts and
 * address put where that command would). Then the project plans in sync.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { docsSh } from '../helpers/docs-example.js';
import { keel, keelJson } from '../helpers/keel.js';
import { labHosts, labSkip } from '../lab/lab-env.js';
import { onHost } from './lab-inventory.js';

/** `keel a b  # lab1: says this ...`: the words, and what the comment quotes of the output (a `name: ` comment, before "..."). */
function parseLine(line: string): { words: string[]; says: string } {
  const [cmd, comment = ''] = line.split(/\s+#\s+/);
  const quoted = /^\S+: /.test(comment) ? comment.split('...')[0].trim() : '';
  return { words: cmd.trim().split(/\s+/), says: quoted };
}

describe.skipIf(!!labSkip)('getting started, as docs/getting-started.md says, on lab1', () => {
  const h = labHosts()[0];
  const dir = mkdtempSync(join(tmpdir(), 'keel-init-lab-'));
  afterAll(async () => {
    await onHost(h, 'rm -rf /srv/hello /srv/greetings');
    rmSync(dir, { recursive: true, force: true });
  });

  it('init, validate, plan --out, show, graph, converge of the plan: each prints what the docs say', async () => {
    const lines = docsSh('getting-started.md', '## A project of your own, in one command');
    expect(lines.length).toBeGreaterThanOrEqual(6);
    let cwd = dir;
    const codes: Record<string, number> = { validate: 0, plan: 2, show: 0, graph: 0, converge: 0, init: 0 };
    for (const line of lines) {
      const { words, says } = parseLine(line);
      if ((words[0] === 'sudo' ? words[2] : words[1]) === 'lab') {
        // what `keel lab up 1` leaves for the project: the lab's key and known_hosts, lab1's address
        mkdirSync(join(cwd, '.keel/lab'), { recursive: true });
        copyFileSync(h.identity, join(cwd, '.keel/lab/id_ed25519'));
        copyFileSync(h.knownHosts, join(cwd, '.keel/lab/known_hosts'));
        const inv = join(cwd, 'inventory.yaml');
        writeFileSync(inv, readFileSync(inv, 'utf8').replace('10.199.0.11', h.address));
        continue;
      }
      const [first, ...chain] = words.join(' ').split(' && ');
      const args = first.split(' ').slice(1);
      expect(words[0], line).toBe('keel');
      const r = await keel(args, { cwd });
      expect(r.code, `${line}\n${r.stdout}${r.stderr}`).toBe(codes[args[0]] ?? 0);
      if (says) expect(r.stdout, line).toContain(says);
      for (const c of chain) if (c.startsWith('cd ')) cwd = join(cwd, c.slice(3));
    }
    const svg = readFileSync(join(cwd, 'graph.svg'), 'utf8');
    expect(svg).toContain('<svg');
    expect(existsSync(join(cwd, 'plan.keel'))).toBe(true);
    const again = await keelJson(['plan'], { cwd });
    expect(again.code).toBe(0);
    expect(await onHost(h, 'cat /srv/greetings/morning.txt; stat -c %a /srv/greetings/evening.txt')).toBe('Good morning from lab1\n600\n');
  });
});
