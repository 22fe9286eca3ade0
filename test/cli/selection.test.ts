/**
 * Safe selection through the real CLI: a --limit with no pattern in it, a --tags that no
 * resource has and a --forks below 1 are errors (exit 1, one message, nothing touched), for
 * every command that takes them. Before, `-l ''` targeted every host, `-t nosuchtag` reported
 * "in sync" with exit 0, and `--forks 0` was accepted.
 */
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { keel } from '../helpers/keel.js';
import { project } from '../engine/local-env.js';

const STATE = `resources:
  - file: "{{ root }}/{{ inventory_hostname }}"
    content: "written only by a run that selected this host\\n"
    tags: [web, config]
  - directory: "{{ root }}/untagged-{{ inventory_hostname }}"
`;
const p = project({ site: STATE }, '');
p.write('inventory.yaml', 'hosts:\n  web1: {connection: local, states: [site]}\n  web2: {connection: local, states: [site]}\n');
afterAll(() => p.remove());

const run = (args: string[]) => keel([...args, ...p.args, ...(args[0] === 'drift' ? ['--state-dir', `${p.dir}/state`] : [])]);

function expectUsageError(r: { code: number; stdout: string; stderr: string }, message: RegExp) {
  expect(r.code, r.stdout + r.stderr).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  for (const h of ['web1', 'web2']) expect(existsSync(`${p.root}/${h}`)).toBe(false);
}

describe.concurrent('selection flags are checked for every command', () => {
  const cases: [string[], RegExp][] = [
    ...['plan', 'converge', 'drift', 'graph'].map((c): [string[], RegExp] => [[c, '-l', ''], /^error: --limit "" names no host or group\n  hint: /]),
    [['plan', '-l', ','], /^error: --limit "," names no host or group/],
    [['converge', '-l', ' : , '], /^error: --limit " : , " names no host or group/],
    [['plan', '-l', 'web1,!'], /'!' needs a host or group after it/],
    ...['plan', 'converge', 'drift'].map((c): [string[], RegExp] => [
      [c, '-t', 'nosuchtag'],
      /^error: --tags: no resource of the selected hosts has the tag 'nosuchtag'\n  hint: known tags: config, web\n$/,
    ]),
    [['converge', '-t', ','], /^error: --tags "," names no tag/],
    [['plan', '-t', 'web,confg'], /tag 'confg' \(did you mean 'config'\?\)/],
    ...['plan', 'converge', 'drift'].map((c): [string[], RegExp] => [[c, '--forks', '0'], /^error: --forks expects a whole number >= 1, got "0"\n$/]),
    [['converge', '-f', 'abc'], /^error: --forks expects a whole number >= 1, got "abc"\n$/],
  ];
  it.each(cases)('keel %j is an error', async (args, message) => {
    expectUsageError(await run(args), message);
  });
});

it('good selections still work: a known tag on one host, --forks 1', async () => {
  const good = project({ site: STATE }, '');
  try {
    good.write('inventory.yaml', 'hosts:\n  web1: {connection: local, states: [site]}\n  web2: {connection: local, states: [site]}\n');
    const r = await keel(['converge', '-l', 'web1', '-t', 'config', '--forks', '1', ...good.args]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(existsSync(`${good.root}/web1`)).toBe(true);
    expect(existsSync(`${good.root}/untagged-web1`)).toBe(false);
    expect(existsSync(`${good.root}/web2`)).toBe(false);
  } finally {
    good.remove();
  }
});
