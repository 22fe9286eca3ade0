/**
 * file, directory and command end to end: the real CLI, the real local transport, the real
 * filesystem. plan shows the drift (exit 2), converge fixes it (exit 0), plan is then in sync
 * (exit 0), and changes made by hand are detected again with their diff. One project for the
 * three modules, so the whole story costs six CLI runs.
 */
import { chmodSync, existsSync, readFileSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { keel, type KeelResult } from '../helpers/keel.js';
import { modeOf, project } from './local-env.js';

const p = project({
  site: `resources:
  - directory: "{{ root }}/srv"
    mode: "0750"
  - directory: "{{ root }}/srv/www"
  - file: "{{ root }}/srv/www/motd"
    mode: "0640"
    content: |
      line one
      line two
      line three
  - file: "{{ root }}/srv/app.conf"
    mode: "0600"
    content: "port = 80\\n"
  - file: "{{ root }}/srv/old.conf"
    state: absent
  - command: stamp
    run: "echo ran >> {{ root }}/log && touch {{ root }}/srv/stamp"
    creates: "{{ root }}/srv/stamp"
    require: "directory:{{ root }}/srv"
`,
});
afterAll(() => p.remove());

const srv = `${p.root}/srv`;
const www = `${srv}/www`;
const motd = `${www}/motd`;
const conf = `${srv}/app.conf`;
const old = `${srv}/old.conf`;
const log = `${p.root}/log`;
const runs = () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).length : 0);
const plan = () => keel(['plan', ...p.args]);
const converge = () => keel(['converge', ...p.args]);

/** The block of lines printed for one resource: its header line up to the next header. */
function block(out: string, header: string): string {
  const lines = out.split('\n');
  const start = lines.findIndex((l) => l.includes(header));
  expect(start, `no "${header}" in:\n${out}`).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((l, i) => i > start && /^ {2}[+~?\- ] \S/.test(l));
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
}

describe('file, directory and command on the local host, through the CLI', () => {
  let first: KeelResult;

  it('plan shows every drift with its diff, exits 2 and touches nothing', async () => {
    first = await plan();
    expect(first.code, first.stderr).toBe(2);
    expect(block(first.stdout, `+ directory:${srv} `)).toContain('+ mode = "0750"');
    expect(block(first.stdout, `+ directory:${www} `)).toContain('+ mode = "0755"');
    const m = block(first.stdout, `+ file:${motd} `);
    expect(m).toContain('+ mode = "0640"');
    expect(m).not.toMatch(/state: "absent" -> "present"|content: /);
    expect(m).toMatch(/^\s+\+line one$/m);
    expect(m).toMatch(/^\s+\+line three$/m);
    expect(m).toMatch(/@@ -0,0 \+1,3 @@/);
    expect(block(first.stdout, '~ command:stamp')).toContain(`will run: echo ran >> ${p.root}/log && touch ${srv}/stamp`);
    // Absent already, but its parent directory is created first: planned again at converge time.
    expect(first.stdout).toContain(`? file:${old} `);
    expect(first.stdout).toMatch(/localhost : ok=0 changed=5 failed=0 skipped=0 unreachable=0 may_change=1/);
    expect(first.stdout).toContain('localhost: Plan: 4 to add, 0 to change, 0 to destroy, 1 to run, 0 to refresh, 1 may change\n');
    expect(existsSync(srv)).toBe(false);
  });

  it('converge exits 0 and the filesystem matches', async () => {
    const res = await converge();
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(modeOf(statSync(srv))).toBe('0750');
    expect(statSync(www).isDirectory()).toBe(true);
    expect(modeOf(statSync(www))).toBe('0755');
    expect(readFileSync(motd, 'utf8')).toBe('line one\nline two\nline three\n');
    expect(modeOf(statSync(motd))).toBe('0640');
    expect(readFileSync(conf, 'utf8')).toBe('port = 80\n');
    expect(modeOf(statSync(conf))).toBe('0600');
    expect(runs()).toBe(1);
    expect(existsSync(`${srv}/stamp`)).toBe(true);
  });

  it('a second plan is in sync (exit 0)', async () => {
    const res = await plan();
    expect(res.code, res.stdout).toBe(0);
    expect(res.stdout).toContain('localhost: in sync');
    expect(res.stdout).toMatch(/localhost : ok=6 changed=0 failed=0 skipped=0/);
  });

  it('changes made by hand are detected with their diff', async () => {
    writeFileSync(motd, 'line one\nline 2\nline three\n'); // content edited
    chmodSync(conf, 0o644); // mode changed, content right
    chmodSync(srv, 0o700);
    writeFileSync(old, 'obsolete\n'); // a file that must be absent
    rmSync(`${srv}/stamp`); // the command's guard removed
    rmSync(motd);
    rmdirSync(www); // and a directory removed (with the file in it)

    const res = await plan();
    expect(res.code, res.stderr).toBe(2);
    expect(block(res.stdout, `~ directory:${srv} `)).toContain('mode: "0700" -> "0750"');
    expect(res.stdout).toContain(`+ directory:${www} `);
    expect(res.stdout).toContain(`+ file:${motd} `);
    const c = block(res.stdout, `~ file:${conf} `);
    expect(c).toContain('mode: "0644" -> "0600"');
    expect(c).not.toContain('@@'); // contents are right: no diff
    expect(res.stdout).toContain(`- file:${old} `);
    expect(res.stdout).toContain('~ command:stamp');
    expect(existsSync(old)).toBe(true); // plan removed nothing
  });

  it('an edited file shows a unified diff against its current contents', async () => {
    // motd exists again, edited: only then is there a "current" side to diff against.
    const fix = await converge();
    expect(fix.code, fix.stdout + fix.stderr).toBe(0);
    expect(runs()).toBe(2);
    expect(existsSync(old)).toBe(false);
    expect(modeOf(statSync(conf))).toBe('0600');
    writeFileSync(motd, 'line one\nline 2\nline three\n');
    const res = await plan();
    expect(res.code).toBe(2);
    const m = block(res.stdout, `~ file:${motd} `);
    expect(m).toMatch(/^\s+-line 2$/m);
    expect(m).toMatch(/^\s+\+line two$/m);
    expect(m).toMatch(/^\s+ line one$/m); // context
    expect(m).toMatch(/@@ -1,3 \+1,3 @@/);
    // the diff alone: the hashes stay in --json
    expect(m).not.toMatch(/sha256:/);
    expect(readFileSync(motd, 'utf8')).toBe('line one\nline 2\nline three\n');
  });
});
