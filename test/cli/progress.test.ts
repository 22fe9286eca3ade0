/**
 * Progress through the real CLI: on a (pseudo-)terminal, live lines redrawn in place while a
 * host converges and cleared before the report; on a pipe, one timestamped line per phase on
 * stderr (with --json too, stdout staying one JSON document); --quiet: nothing.
 */
import { execFile } from 'node:child_process';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, keel, keelCommandLine } from '../helpers/keel.js';
import { project } from '../engine/local-env.js';

const p = project({
  site: `resources:
  - file: "{{ root }}/a"
    content: "a\\n"
  - command: slow
    run: "sleep 1; touch {{ root }}/slow"
    creates: "{{ root }}/slow"
`,
});
afterAll(() => p.remove());
beforeEach(() => {
  for (const f of ['a', 'slow']) rmSync(join(p.root, f), { force: true });
});

/** keel on a 40x120 pseudo-terminal (util-linux script): what the terminal received. */
function onTerminal(args: string[]): Promise<string> {
  return new Promise((resolve) => {
    const child = execFile('script', ['-qec', `stty rows 40 cols 120; ${keelCommandLine(args)}`, '/dev/null'], { cwd: REPO, env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000 }, (_err, stdout) =>
      resolve(stdout.toString()),
    );
    child.stdin!.end();
  });
}

describe('progress', () => {
  it('on a terminal: live lines per host, redrawn in place, gone before the report', async () => {
    const out = await onTerminal(['converge', ...p.args, '--yes']);
    expect(out).toContain('keel converge: 0/1 host done');
    expect(out).toMatch(/ {2}localhost {2}applying 2\/2 command:slow {2}\d+\.\d s/);
    // redrawn in place: the erase-line sequence, and the elapsed time ticking while the command sleeps
    expect(out).toContain('\x1b[2K');
    const ticks = new Set([...out.matchAll(/applying 2\/2 command:slow {2}(\d+\.\d) s/g)].map((m) => m[1]));
    expect(ticks.size).toBeGreaterThan(3);
    // the report comes after the last frame, which was erased
    const report = out.indexOf('localhost: Applied: 1 added, 0 changed, 0 destroyed, 1 run');
    expect(report).toBeGreaterThan(out.lastIndexOf('applying'));
    expect(out.slice(out.lastIndexOf('applying'), report)).toContain('\x1b[2K');
    expect(out.slice(report)).not.toContain('keel converge:');
  });

  it('not on a terminal: one timestamped line per phase on stderr, also with --json', async () => {
    const r = await keel(['converge', ...p.args, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).hosts[0].status).toBe('changed');
    const lines = r.stderr.trimEnd().split('\n');
    const ts = '\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z';
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(new RegExp(`^${ts} localhost connected in \\d+\\.\\d s$`));
    expect(lines[1]).toMatch(new RegExp(`^${ts} localhost took the host lock in \\d+\\.\\d s$`));
    expect(lines[2]).toMatch(new RegExp(`^${ts} localhost probed and planned in \\d+\\.\\d s$`));
    expect(lines[3]).toMatch(new RegExp(`^${ts} localhost applied in (1|2)\\.\\d s$`));
    expect(lines[4]).toMatch(new RegExp(`^${ts} localhost converge done in \\d+\\.\\d s: Applied: 1 added, 0 changed, 0 destroyed, 1 run, 0 refreshed$`));
  });

  it('--quiet: nothing on stderr', async () => {
    const r = await keel(['plan', ...p.args, '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('localhost: Plan: 1 to add');
  });
});
