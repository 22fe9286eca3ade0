/**
 * Hostile values through a lab host's remote shell, as a property test: generated strings (quotes,
 * newlines, `$()`, backticks, globs, leading dashes, control characters, unicode) as file paths and
 * contents, line text, directory names, cron names and jobs, user comments and homes, command env
 * values and cwd. What lands is read back over SSH and compared byte for byte, the next plan is
 * clean, and no canary file appears: nothing ran as code. Values keel must refuse (NUL, names that
 * tools misread) stop the run at validate with nothing written on the host.
 *
 * Values travel as inventory variables (`"{{ v0 }}"` in the state), so every byte reaches keel as
 * generated: YAML and the template engine are not what is under test here, the host's shell is.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labSkip } from '../lab/lab-env.js';
import { hostReport, moduleHost, moduleProject, ok, onHost, uniq } from './module-lab.js';
import { hostileBatch, type HostileBatch } from './hostile-values.js';
import { readBack, type HostBytes } from './hostile-readback.js';

const RUNS = 3;
// a fixed seed keeps CI deterministic; KEEL_PROP_SEED searches elsewhere (or replays a failure)
const SEED = Number(process.env.KEEL_PROP_SEED ?? 20261201);
const SCHEDULE = '0 0 31 2 *'; // February 31st: the entries never run

describe.skipIf(!!labSkip)('hostile values on a lab host', () => {
  const u = uniq();
  const root = `/srv/keel-hostile-${u}`;
  const canary = `keel-pwned-${u}`;
  const cronUser = `kx${u}`;
  const host = moduleHost(1);
  const users: string[] = [];
  let cases = 0;

  beforeAll(async () => {
    await onHost(host, `mkdir -p ${root} && useradd -M ${cronUser}`);
  });

  afterAll(async () => {
    const del = users.map((n) => `userdel '${n}' 2>/dev/null;`).join(' ');
    await onHost(host, `${del} crontab -r -u ${cronUser} 2>/dev/null; userdel ${cronUser}; rm -rf ${root}; true`);
    process.stderr.write(`hostile values: ${cases} values checked byte for byte in ${RUNS} converges\n`);
  });

  it('lands every value byte for byte, plans clean after, and runs none of them', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(hostileBatch(canary), async (batch) => {
        const dir = `${root}/r${run}`;
        const tag = `${u}r${run++}`;
        const { vars, state, expected } = buildState(batch, dir, tag, cronUser);
        users.push(...expected.users.map((x) => x.name));
        await onHost(host, `mkdir -p ${dir}/f ${dir}/l ${dir}/c ${dir}/o`);
        const p = moduleProject(host, vars);
        p.state(state);

        const conv = await p.converge();
        expect(failures(conv.report), 'resources that failed').toEqual([]);
        ok(conv);
        expect(hostReport(conv.report).status).toBe('changed');
        const plan = await p.plan();
        expect(failures(plan.report), 'resources whose plan failed').toEqual([]);
        expect(pending(plan.report), 'resources not in sync after converge').toEqual([]);
        ok(plan, 0);

        const got = await readBack(host, dir, cronUser, expected.users.map((x) => x.name), canary, root);
        cases += checkLanded(expected, got, tag);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
  });

  it('refuses NUL and names tools would misread, and writes nothing on the host', async () => {
    const dir = `${root}/refused`;
    const nul = `a\\0$(touch /tmp/${canary})`; // YAML's escape: the state file itself carries the NUL
    const p = moduleProject(host, { dash: '-rf', sp: 'backup ', tab: 'a\tb' });
    const good = `resources:\n  - file: ${dir}/good\n    content: "must not be written\\n"\n`;
    // each line marked "# bad" holds a value keel must refuse before anything runs; NUL is
    // refused when the file is read, so it gets a state of its own
    const nuls = `${good}  - file: ${dir}/nul-content
    content: "${nul}" # bad
  - file: "${dir}/${nul}" # bad
    content: x
  - line: ${dir}/nul-line
    text: "${nul}" # bad
    create: true
  - command: nul-env
    run: "true"
    env: {X: "${nul}"} # bad
`;
    const names = `${good}  - command: dash-user
    run: "true"
    user: "{{ dash }}" # bad
  - cron: "{{ sp }}" # bad
    user: ${cronUser}
    schedule: "${SCHEDULE}"
    job: "true"
  - cron: backspace
    user: ${cronUser}
    schedule: "${SCHEDULE}"
    job: "a\\bb" # bad
  - user: ${cronUser}
    comment: "{{ tab }}" # bad
    home: "/home/a:b" # bad
`;
    // an account name is checked once the schema holds: a state of its own too
    const account = `${good}  - user: "{{ dash }}" # bad\n`;
    for (const state of [nuls, names, account]) {
      p.state(state);
      const bad = state.split('\n').flatMap((l, i) => (l.endsWith('# bad') ? [i + 1] : []));
      const r = await p.convergeText();
      expect(r.code, r.stdout + r.stderr).toBe(1);
      // one error per bad value, each at its line of the state file
      const lines = [...r.stderr.matchAll(/main\.yaml:(\d+):\d+/g)].map((m) => Number(m[1]));
      expect([...new Set(lines)].sort((a, b) => a - b), r.stderr).toEqual(bad);
    }
    const left = await onHost(host, `test -e ${dir} && echo exists; ls /tmp | grep -c ${canary}; crontab -l -u ${cronUser} 2>/dev/null | grep -c 'keel: backup'; getent passwd ${cronUser} | cut -d: -f5; true`);
    expect(left).toBe('0\n0\n\n');
  });
});

const failures = (report: any) => hostReport(report).resources.filter((r: any) => r.error).map((r: any) => `${r.id}: ${r.error}`);
const pending = (report: any) => hostReport(report).resources.filter((r: any) => r.action !== 'none').map((r: any) => ({ id: r.id, changes: r.changes, diff: r.diff }));

interface Expected {
  files: Map<string, string>;
  lines: Map<string, string>;
  dirs: string[];
  commands: { i: number; env: string; cwd: string }[];
  cron: { name: string; job: string }[];
  users: { name: string; comment: string; home: string }[];
}

/** The inventory vars, the state that uses them, and what must be on the host after converge. */
function buildState(b: HostileBatch, dir: string, tag: string, cronUser: string): { vars: Record<string, string>; state: string; expected: Expected } {
  const vars: Record<string, string> = {};
  let n = 0;
  const v = (value: string) => {
    const name = `v${n++}`;
    vars[name] = value;
    return `"{{ ${name} }}"`;
  };
  const out: string[] = ['resources:'];
  const expected: Expected = { files: new Map(), lines: new Map(), dirs: [], commands: [], cron: [], users: [] };
  b.files.forEach(({ name, content }) => {
    out.push(`  - file: ${v(`${dir}/f/${name}`)}`, `    content: ${v(content)}`);
    expected.files.set(name, content);
  });
  b.lines.forEach(({ name, text }) => {
    out.push(`  - line: ${v(`${dir}/l/${name}`)}`, `    text: ${v(text)}`, '    create: true');
    expected.lines.set(name, `${text}\n`);
  });
  b.commands.forEach(({ cwd, env }, i) => {
    const path = `${dir}/c/${cwd}`;
    out.push(`  - directory: ${v(path)}`);
    // the command records what it saw: its environment (NUL-separated) and its working directory
    out.push(
      `  - command: hostile-${i}`,
      `    run: "env -0 > ${dir}/o/${i}.env && pwd -P > ${dir}/o/${i}.pwd"`,
      `    cwd: ${v(path)}`,
      `    env: {HOSTILE: ${v(env)}}`,
      `    creates: ${dir}/o/${i}.pwd`,
    );
    expected.dirs.push(cwd);
    expected.commands.push({ i, env, cwd: path });
  });
  b.cron.forEach(({ name, job }) => {
    out.push(`  - cron: ${v(`${name} ${tag}`)}`, `    user: ${cronUser}`, `    schedule: "${SCHEDULE}"`, `    job: ${v(job)}`);
    // leading spaces and tabs are the separator after the schedule (documented); all else is kept
    expected.cron.push({ name: `${name} ${tag}`, job: job.replace(/^[ \t]+/, '') });
  });
  b.users.forEach(({ comment, home }, i) => {
    // account names are narrow (refusals tested apart), but "-", "_" and a final "$" are allowed
    const name = `kh_${tag}-u${i}${i % 2 ? '$' : ''}`;
    out.push(`  - user: ${name}`, `    comment: ${v(comment)}`, `    home: ${v(`/nonexistent-keel/${home}`)}`, '    create_home: false');
    expected.users.push({ name, comment, home: `/nonexistent-keel/${home}` });
  });
  return { vars, state: `${out.join('\n')}\n`, expected };
}

const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex');

/** Compare what is on the host with what was asked, byte for byte; returns how many values. */
function checkLanded(want: Expected, got: HostBytes, tag: string): number {
  expect(got.canaries, 'a value ran as code: canary files appeared').toEqual([]);
  const sameEntries = (what: string, w: Map<string, string>, g: Map<string, Buffer>) => {
    expect([...g.keys()].sort(), `${what}: names on disk`).toEqual([...w.keys()].map(hex).sort());
    for (const [name, content] of w) {
      expect(g.get(hex(name))?.toString('hex'), `${what} ${JSON.stringify(name)}: contents`).toBe(hex(content));
    }
  };
  sameEntries('file', want.files, got.files);
  sameEntries('line', want.lines, got.lines);
  expect([...got.dirs].sort(), 'directory names').toEqual(want.dirs.map(hex).sort());
  for (const c of want.commands) {
    const env = got.outputs.get(`${c.i}.env`);
    const pwd = got.outputs.get(`${c.i}.pwd`);
    const vars = (env ?? Buffer.alloc(0)).toString('utf8').split('\0');
    expect(vars.filter((x) => x.startsWith('HOSTILE=')).map(hex), `command ${c.i}: env HOSTILE=${JSON.stringify(c.env)}`).toEqual([hex(`HOSTILE=${c.env}`)]);
    expect(pwd?.toString('hex'), `command ${c.i}: cwd ${JSON.stringify(c.cwd)}`).toBe(hex(`${c.cwd}\n`));
  }
  const crontab = got.crontab.toString('utf8');
  for (const e of want.cron) {
    expect(crontab, `cron ${JSON.stringify(e.name)}: entry`).toContain(`# keel: ${e.name}\n${SCHEDULE} ${e.job}\n`);
  }
  expect(crontab.split('\n').filter((l) => l.startsWith('# keel: ') && l.endsWith(tag)), 'one marker per cron entry').toHaveLength(want.cron.length);
  for (const usr of want.users) {
    const f = got.passwd.get(usr.name)?.toString('utf8').replace(/\n$/, '').split(':');
    expect(f?.[4] === undefined ? undefined : hex(f[4]), `user ${usr.name}: comment ${JSON.stringify(usr.comment)}`).toBe(hex(usr.comment));
    expect(f?.[5] === undefined ? undefined : hex(f[5]), `user ${usr.name}: home ${JSON.stringify(usr.home)}`).toBe(hex(usr.home));
  }
  return want.files.size * 2 + want.lines.size * 2 + want.commands.length * 3 + want.cron.length * 2 + want.users.length * 2;
}
