/**
 * keel completion bash, run by a real bash: the script the CLI prints completes commands,
 * subcommands, flags, and host and group names from the inventory (asked of `keel` itself, here a
 * wrapper that runs this checkout's CLI).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, keel } from '../helpers/keel.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-completion-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let script = '';

beforeAll(async () => {
  const tsx = pathToFileURL(createRequire(join(REPO, 'package.json')).resolve('tsx')).href;
  writeFileSync(join(dir, 'keel'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} --import ${tsx} ${JSON.stringify(join(REPO, 'src/cli/main.ts'))} "$@"\n`);
  chmodSync(join(dir, 'keel'), 0o755);
  writeFileSync(join(dir, 'inventory.yaml'), 'groups:\n  web: {hosts: [web1, web2]}\nhosts:\n  web1: {connection: local}\n  web2: {connection: local}\n  db1: {connection: local}\n');
  const r = await keel(['completion', 'bash']);
  expect(r.code, r.stderr).toBe(0);
  script = join(dir, 'keel.bash');
  writeFileSync(script, r.stdout);
});

/** What Tab offers after `words` (the last one is the word being completed). */
function complete(...words: string[]): string[] {
  const arr = ['keel', ...words].map((w) => `'${w}'`).join(' ');
  const out = execFileSync('bash', ['-c', `source ${script}; COMP_WORDS=(${arr}); COMP_CWORD=${words.length}; _keel; printf '%s\\n' "\${COMPREPLY[@]}"`], {
    cwd: dir,
    env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
  }).toString();
  return out.split('\n').filter(Boolean).sort();
}

describe('keel completion bash', () => {
  it('completes commands, subcommands and flags', () => {
    expect(complete('pl')).toEqual(['plan']);
    expect(complete('co')).toEqual(['converge']);
    expect(complete('lab', '')).toEqual(['down', 'status', 'up']);
    expect(complete('lab', 'up', '--con')).toEqual(['--concurrency']);
    expect(complete('plan', '--js')).toEqual(['--json']);
    expect(complete('converge', '-i', 'inventory.yaml', '--detailed')).toEqual(['--detailed-exitcode']);
  });

  it('completes host and group names after -l and for keel facts, from the inventory given', () => {
    expect(complete('plan', '-l', 'w')).toEqual(['web', 'web1', 'web2']);
    expect(complete('facts', 'd')).toEqual(['db1']);
    expect(complete('plan', '-i', 'missing.yaml', '-l', '')).toEqual([]);
  });

  it('a host name that is shell code is never run and never offered', () => {
    writeFileSync(join(dir, 'evil.yaml'), `hosts:\n  "web$(touch ${dir}/pwned)": {connection: local}\n  "w\`touch ${dir}/pwned2\`": {connection: local}\n  web9: {connection: local}\n`);
    expect(complete('plan', '-i', 'evil.yaml', '-l', 'w')).toEqual(['web9']);
    expect(complete('facts', '-i', 'evil.yaml', '')).toEqual(['web9']);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    expect(existsSync(join(dir, 'pwned2'))).toBe(false);
  });

  it('zsh gets the same function through bashcompinit', async () => {
    const z = await keel(['completion', 'zsh']);
    expect(z.stdout).toContain('autoload -U +X bashcompinit && bashcompinit\ncomplete -o default -F _keel keel\n');
    expect(z.stdout).toContain('_keel() {');
  });
});
