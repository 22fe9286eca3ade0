/**
 * One owner per path and guards that mean what they say (issue 8, items 1 and 10), on a real host
 * through the CLI: a file's mode and a line on it both hold after one converge; two lines on one
 * file both land; two commands with the same creates run once; two lines that fight, and a
 * command whose guard still fails after it ran, fail the converge as the state's problem; a whole
 * file plus a line is refused before the host is touched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labSkip } from '../lab/lab-env.js';
import { expectInSync, moduleHost, moduleProject, ok, onHost, res, uniq, type ModuleProject } from './module-lab.js';

describe.skipIf(!!labSkip)('resources sharing a path, and guards, on a lab host', () => {
  const root = `/srv/keel-own-${uniq()}`;
  let p: ModuleProject;

  beforeAll(async () => {
    p = moduleProject(moduleHost(1));
    await onHost(p.host, `mkdir -p ${root} && printf 'keep=1\\n' > ${root}/secret.conf && chmod 0644 ${root}/secret.conf && printf '127.0.0.1 localhost\\n' > ${root}/hosts`);
  });
  afterAll(() => onHost(p.host, `rm -rf ${root}`));

  it('composes a file mode with a line, two lines, and runs two commands with one creates once', async () => {
    p.state(`resources:
  - file: ${root}/secret.conf
    mode: "0600"
  - line: ${root}/secret.conf
    text: "token=abc"
  - line: ${root}/hosts
    id: host-a
    text: "10.0.0.1 a"
  - line: ${root}/hosts
    id: host-b
    text: "10.0.0.2 b"
  - command: first
    run: "echo first >> ${root}/log; touch ${root}/done"
    creates: ${root}/done
  - command: second
    run: "echo second >> ${root}/log; touch ${root}/done"
    creates: ${root}/done
`);
    const conv = await p.converge();
    ok(conv);
    expect(res(conv.report, 'command:second').status).toBe('ok');
    expect(await onHost(p.host, `stat -c %a ${root}/secret.conf; cat ${root}/secret.conf ${root}/hosts ${root}/log`)).toBe(
      '600\nkeep=1\ntoken=abc\n127.0.0.1 localhost\n10.0.0.1 a\n10.0.0.2 b\nfirst\n',
    );
    await expectInSync(p);
  });

  it('two lines that fight and a guard that still fails: exit 1, each named as the state\'s problem', async () => {
    p.state(`resources:
  - line: ${root}/app.conf
    id: port-80
    match: "^port="
    text: "port=80"
    create: true
  - line: ${root}/app.conf
    id: port-8080
    match: "^port="
    text: "port=8080"
    create: true
  - command: wrong-guard
    run: "touch ${root}/made"
    unless: "test -e ${root}/other"
`);
    const conv = await p.convergeText();
    ok(conv, 1);
    expect(conv.stdout).toMatch(/port-80 .*\n(.*\n)*.*undone by port-8080 \(\S+main\.yaml:7\) later in this run/);
    expect(conv.stdout).toContain('the command ran, its guard still fails: fix the guard or the command');
    expect(conv.stdout).not.toContain('bug in');
  });

  it('a file with content plus a line on it is refused before the host is touched', async () => {
    p.state(`resources:
  - file: ${root}/whole.conf
    content: "a=1\\n"
  - line: ${root}/whole.conf
    text: "b=2"
`);
    const plan = await p.planText();
    ok(plan, 1);
    expect(plan.stderr).toMatch(/main\.yaml:4:\d+: .*is managed by file:\S+ \(\S+main\.yaml:2\) and line:\S+ \(\S+main\.yaml:4\)/);
    expect(await onHost(p.host, `test -e ${root}/whole.conf && echo exists || echo absent`)).toBe('absent\n');
  });
});
