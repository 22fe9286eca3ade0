/**
 * keel secret keygen / encrypt / edit through the real CLI, and what a run does with the values:
 * the key file's modes, encrypt's block pasted into an inventory, edit with a scripted $EDITOR
 * (the decrypted copy 0600 in a 0700 dir, gone afterwards, also when the editor is interrupted),
 * the rest of the file byte for byte, and bad keys: exit 1, one message at file:line, no host touched.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { keel, REPO } from '../helpers/keel.js';
import { modeOf, project, type Project } from '../engine/local-env.js';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const TSX = pathToFileURL(createRequire(join(REPO, 'package.json')).resolve('tsx')).href;
const MAIN = join(REPO, 'src', 'cli', 'main.ts');

/** keel with `input` on stdin; `detached` gives it a process group of its own (for a Ctrl-C to the group). */
function keelIn(args: string[], env: NodeJS.ProcessEnv, input = '', detached = false): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', TSX, MAIN, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, detached });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end(input);
  });
}

const SECRET = "db-pw-'quoted'-$HOME";
let p: Project;
let env: NodeJS.ProcessEnv;
let recipient: string;

/** An EDITOR that records what it was given, then runs `change` (sh) on the file. */
function editor(name: string, change: string): string {
  const path = join(p.dir, `${name}.sh`);
  writeFileSync(path, `#!/bin/sh\nset -e\necho "$1" > ${p.dir}/${name}.path\nstat -c '%a' "$1" "$(dirname "$1")" > ${p.dir}/${name}.modes\ncp "$1" ${p.dir}/${name}.seen\n${change}\n`);
  chmodSync(path, 0o755);
  return path;
}

beforeAll(async () => {
  p = project({ app: `resources:\n  - file: "{{ root }}/app.env"\n    content: "DB_PASSWORD={{ db_password }}\\n"\n` });
  env = { KEEL_AGE_KEY_FILE: join(p.dir, 'keys', 'nested', 'age.key') };
  const gen = await keel(['secret', 'keygen'], { env });
  expect(gen.code, gen.stderr).toBe(0);
  recipient = gen.stdout.trim();
  const block = await keelIn(['secret', 'encrypt', '-i', p.inventory, '--name', 'db_password'], env, `${SECRET}\n`);
  // encrypt needs recipients first: the error says where they go
  expect(block.code).toBe(1);
  expect(block.stderr).toContain('lists no age recipient to encrypt to');
  writeFileSync(p.inventory, `# the inventory\nsecrets:\n  recipients: [${recipient}]   # keel secret keygen\nvars:\n  app: demo      # kept as written\nhosts:\n  localhost: {connection: local, states: [app]}\n`);
  const enc = await keelIn(['secret', 'encrypt', '-i', p.inventory, '--name', 'db_password'], env, `${SECRET}\n`);
  expect(enc.code, enc.stderr).toBe(0);
  expect(enc.stdout).toMatch(/^db_password: !secret \|\n  -----BEGIN AGE ENCRYPTED FILE-----\n[\s\S]*\n  -----END AGE ENCRYPTED FILE-----\n$/);
  writeFileSync(p.inventory, readFileSync(p.inventory, 'utf8').replace('hosts:', `${enc.stdout.replace(/^(?=.)/gm, '  ')}hosts:`));
}, 120_000);

describe('keel secret', () => {
  it('keygen: key 0600 in a new 0700 dir, recipient printed; an existing key is kept unless --force', async () => {
    const key = env.KEEL_AGE_KEY_FILE!;
    expect(recipient).toMatch(/^age1[0-9a-z]{58}$/);
    expect(modeOf(statSync(key))).toBe('0600');
    expect(modeOf(statSync(join(p.dir, 'keys', 'nested')))).toBe('0700');
    expect(modeOf(statSync(join(p.dir, 'keys')))).toBe('0700');
    const text = readFileSync(key, 'utf8');
    expect(text).toContain(`# public key: ${recipient}\nAGE-SECRET-KEY-1`);
    const again = await keel(['secret', 'keygen'], { env });
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`error: ${key} already exists: keel keeps it (the secrets encrypted to it need it); --force replaces it\n`);
    expect(readFileSync(key, 'utf8')).toBe(text);
    const other = { KEEL_AGE_KEY_FILE: join(p.dir, 'other.key') };
    writeFileSync(other.KEEL_AGE_KEY_FILE, 'old');
    chmodSync(other.KEEL_AGE_KEY_FILE, 0o644);
    const forced = await keel(['secret', 'keygen', '--force'], { env: other });
    expect(forced.code).toBe(0);
    expect(modeOf(statSync(other.KEEL_AGE_KEY_FILE))).toBe('0600');
    expect(readFileSync(other.KEEL_AGE_KEY_FILE, 'utf8')).toContain(`# public key: ${forced.stdout.trim()}\n`);
  });

  it('an encrypted value reaches the state and shows as (sensitive) in plan text and --json', async () => {
    const plan = await keel(['plan', ...p.args], { env });
    expect(plan.code, plan.stderr).toBe(2);
    expect(plan.stdout).toContain('+DB_PASSWORD=(sensitive)');
    const json = await keel(['plan', ...p.args, '--json', '--log-level', 'trace'], { env });
    expect(json.code).toBe(2);
    for (const out of [plan.stdout, plan.stderr, json.stdout, json.stderr]) expect(out).not.toContain('quoted');
    const conv = await keel(['converge', ...p.args], { env });
    expect(conv.code, conv.stderr).toBe(0);
    expect(readFileSync(join(p.root, 'app.env'), 'utf8')).toBe(`DB_PASSWORD=${SECRET}\n`);
  });

  it('edit: decrypted into a 0600 file in a 0700 dir, re-encrypted on save, the rest byte for byte, the copy removed', async () => {
    const before = readFileSync(p.inventory, 'utf8');
    const oldBlock = /db_password: !secret \|\n(?: {4}.*\n)+/.exec(before)![0];
    const ed = editor('ed1', `sed -i 's/^  app: demo      # kept as written$/  app: demo      # kept as written\\n  api_token: !secret "tok-123456"/' "$1"`);
    const r = await keelIn(['secret', 'edit', p.inventory], { ...env, EDITOR: ed, VISUAL: '' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(`${p.inventory}: saved (1 value(s) encrypted, 1 unchanged)\n`);
    expect(readFileSync(join(p.dir, 'ed1.modes'), 'utf8')).toBe('600\n700\n');
    const seen = readFileSync(join(p.dir, 'ed1.seen'), 'utf8');
    expect(seen).toContain(`  db_password: !secret ${JSON.stringify(SECRET)}\n`);
    expect(existsSync(readFileSync(join(p.dir, 'ed1.path'), 'utf8').trim())).toBe(false);
    const after = readFileSync(p.inventory, 'utf8');
    expect(after).not.toContain('tok-123456');
    // the unchanged value keeps its ciphertext; the new one is a block under the line it was written on
    expect(after).toContain(oldBlock);
    expect(after).toMatch(/  app: demo {6}# kept as written\n  api_token: !secret \|\n {4}-----BEGIN AGE ENCRYPTED FILE-----\n/);
    expect(after.replace(/  api_token: !secret \|\n(?: {4}.*\n)+/, '')).toBe(before);
    // Debian's age reads what edit wrote, and so does keel
    const armored = /  api_token: !secret \|\n((?: {4}.*\n)+)/.exec(after)![1].replace(/^ {4}/gm, '');
    expect(execFileSync('age', ['-d', '-i', env.KEEL_AGE_KEY_FILE!], { input: armored }).toString()).toBe('tok-123456');
    const inv = await keel(['validate', '-i', p.inventory, '--var', `root=${p.root}`], { env });
    expect(inv.code, inv.stderr).toBe(0);
  });

  it('edit with no change leaves the file alone; --rekey encrypts every value again', async () => {
    const before = readFileSync(p.inventory, 'utf8');
    const same = await keelIn(['secret', 'edit', p.inventory], { ...env, EDITOR: editor('ed2', 'true') });
    expect(same.code, same.stderr).toBe(0);
    expect(same.stderr).toBe(`${p.inventory}: no change\n`);
    expect(readFileSync(p.inventory, 'utf8')).toBe(before);
    const rekey = await keelIn(['secret', 'edit', '--rekey', p.inventory], { ...env, EDITOR: editor('ed3', 'true') });
    expect(rekey.stderr).toBe(`${p.inventory}: saved (2 value(s) encrypted, 0 unchanged)\n`);
    expect(readFileSync(p.inventory, 'utf8')).not.toBe(before);
    expect(readFileSync(join(p.dir, 'ed3.seen'), 'utf8')).toBe(readFileSync(join(p.dir, 'ed2.seen'), 'utf8'));
  });

  it('edit: an editor that fails or is interrupted (Ctrl-C to the process group) saves nothing and leaves no decrypted copy', async () => {
    const before = readFileSync(p.inventory, 'utf8');
    const failing = await keelIn(['secret', 'edit', p.inventory], { ...env, EDITOR: editor('ed4', 'sed -i s/demo/changed/ "$1"; exit 3') });
    expect(failing.code).toBe(1);
    expect(failing.stderr).toContain('exited 3: nothing saved, the decrypted copy is removed');
    expect(existsSync(readFileSync(join(p.dir, 'ed4.path'), 'utf8').trim())).toBe(false);
    // SIGINT to the whole group, as a terminal's Ctrl-C: the editor dies of it, keel cleans up
    const ctrlC = await keelIn(['secret', 'edit', p.inventory], { ...env, EDITOR: editor('ed5', 'kill -INT 0') }, '', true);
    expect(ctrlC.code, ctrlC.stderr).toBe(1);
    expect(ctrlC.stderr).toMatch(/the editor \(.*ed5\.sh\) (was stopped by SIGINT|exited 130): nothing saved/);
    expect(readFileSync(join(p.dir, 'ed5.seen'), 'utf8')).toContain(JSON.stringify(SECRET));
    expect(existsSync(readFileSync(join(p.dir, 'ed5.path'), 'utf8').trim())).toBe(false);
    // broken YAML from the editor: nothing saved either
    const broken = await keelIn(['secret', 'edit', p.inventory], { ...env, EDITOR: editor('ed6', `printf 'vars: [\\n' >> "$1"`) });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/^error: .*inventory\.yaml \(your edit, not saved\):\d+:\d+: invalid YAML/);
    expect(readFileSync(p.inventory, 'utf8')).toBe(before);
  });

  it('a wrong key or a corrupt value: exit 1, one message at file:line, no stack trace, nothing written', async () => {
    const otherKey = join(p.dir, 'stranger.key');
    await keel(['secret', 'keygen'], { env: { KEEL_AGE_KEY_FILE: otherKey } });
    const wrong = await keel(['converge', ...p.args], { env: { KEEL_AGE_KEY_FILE: otherKey } });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^error: .*inventory\.yaml:\d+:14: cannot decrypt api_token \(and 1 more !secret value: db_password\): no identity matches \(tried .*stranger\.key: KEEL_AGE_KEY_FILE=.*stranger\.key\)\n  hint: /);
    expect(wrong.stderr).not.toMatch(/\n\s+at /);
    const text = readFileSync(p.inventory, 'utf8');
    const lines = text.split('\n');
    const at = lines.findIndex((l) => l.startsWith('  db_password: !secret'));
    lines[at + 2] = lines[at + 2].replace(/^( +)./, (_m, sp) => `${sp}#`);
    writeFileSync(p.inventory, lines.join('\n'));
    try {
      const corrupt = await keel(['converge', ...p.args], { env });
      expect(corrupt.code).toBe(1);
      expect(corrupt.stderr).toBe(`error: ${p.inventory}:${at + 1}:16: cannot decrypt db_password: corrupt ciphertext: invalid base64\n  hint: the ciphertext was changed or cut short: paste the whole block printed by keel secret encrypt again\n`);
    } finally {
      writeFileSync(p.inventory, text);
    }
  });
});

describe('keel secret encrypt', () => {
  it('prints a bare block without --name, takes the value as an argument too, refuses a bad --name', async () => {
    const bare = await keelIn(['secret', 'encrypt', '-i', p.inventory, 'arg-value'], env);
    expect(bare.stdout).toMatch(/^!secret \|\n  -----BEGIN AGE ENCRYPTED FILE-----\n/);
    const dir = mkdtempSync(join(tmpdir(), 'keel-enc-'));
    writeFileSync(join(dir, 'c.age'), bare.stdout.split('\n').slice(1).map((l) => l.trim()).join('\n'));
    expect(execFileSync('age', ['-d', '-i', env.KEEL_AGE_KEY_FILE!, join(dir, 'c.age')]).toString()).toBe('arg-value');
    const bad = await keelIn(['secret', 'encrypt', '-i', p.inventory, '--name', 'a: b'], env, 'x');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('error: --name "a: b": expected a variable name (letters, digits, _)\n');
  });
});
