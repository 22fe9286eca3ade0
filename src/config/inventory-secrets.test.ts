import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigErrors } from '../errors.js';
import { compileJobs } from '../engine/compile.js';
import { redactSecrets } from '../engine/host-report.js';
import { encryptArmored, identityFileText, newIdentity } from '../secrets/age.js';
import { decryptInventorySecrets } from '../secrets/decrypt.js';
import { secretBlock } from '../secrets/secret-block.js';
import { loadInventory } from './index.js';
import { builtinModules } from '../../modules/index.js';

let key: { identity: string; recipient: string };
let other: { identity: string; recipient: string };
let dir: string;
const env = (file = 'mine.key') => ({ KEEL_AGE_KEY_FILE: join(dir, file) });

/** An inventory whose `vars` blocks are given as text (each value may be a `!secret` block). */
function inventory(text: string, state = 'resources: []\n'): string {
  const d = mkdtempSync(join(dir, 'inv-'));
  mkdirSync(join(d, 'states'));
  writeFileSync(join(d, 'states', 'app.yaml'), state);
  writeFileSync(join(d, 'inventory.yaml'), text);
  return join(d, 'inventory.yaml');
}

const indent = (block: string, n: number) => block.replace(/\n(?=.)/g, `\n${' '.repeat(n)}`);
const secret = async (value: string, name: string, n: number, to = key.recipient) => indent(secretBlock(await encryptArmored(value, [to]), name), n);

/** compileJobs' errors, as `file:line: message`. */
function compileErrors(inv: ReturnType<typeof loadInventory>, host: string): string[] {
  try {
    compileJobs(inv, [host], builtinModules);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigErrors);
    return (err as ConfigErrors).errors.map((x) => `${x.pos?.file.split('/').pop()}:${x.pos?.line}: ${x.message}`);
  }
  throw new Error('compiled');
}

async function load(file: string, e: NodeJS.ProcessEnv = env()) {
  return loadInventory(file, { secrets: await decryptInventorySecrets(file, e) });
}

async function errorsOf(file: string, e: NodeJS.ProcessEnv = env()): Promise<string[]> {
  try {
    await load(file, e);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigErrors);
    return (err as ConfigErrors).errors.map((x) => `${x.pos?.line}:${x.pos?.column}: ${x.message}`);
  }
  throw new Error('loaded');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keel-inv-secrets-'));
  [key, other] = [await newIdentity(), await newIdentity()];
  writeFileSync(join(dir, 'mine.key'), identityFileText(key.identity, key.recipient, new Date()));
  writeFileSync(join(dir, 'other.key'), identityFileText(other.identity, other.recipient, new Date()));
});

describe('!secret values in the inventory', () => {
  it('decrypts them in vars at every level; each decrypted value is sensitive for the host', async () => {
    const file = inventory(
      `secrets: {recipients: [${key.recipient}]}\nvars:\n  ${await secret('top-secret-1', 'db_password', 2)}  app: demo\ngroups:\n  web:\n    vars:\n      ${await secret('group-secret-2', 'g', 6)}      nested:\n        ${await secret('nested-secret-3', 'inner', 8)}    hosts:\n      web1:\n        vars:\n          ${await secret('host-secret-4', 'h', 10)}hosts:\n  web1: {vars: {plain: x}}\n  db1:\n    vars:\n      ${await secret('db-host-secret', 'own', 6)}`,
    );
    const inv = await load(file);
    const web1 = inv.hosts.get('web1')!;
    expect(web1.vars).toMatchObject({ db_password: 'top-secret-1', g: 'group-secret-2', nested: { inner: 'nested-secret-3' }, h: 'host-secret-4', plain: 'x', app: 'demo' });
    expect(inv.hosts.get('db1')!.vars.own).toBe('db-host-secret');
    expect(web1.secrets).toEqual(expect.arrayContaining(['top-secret-1', 'group-secret-2', 'nested-secret-3', 'host-secret-4']));
    expect(redactSecrets('pw=top-secret-1 h=host-secret-4', web1.secrets)).toBe('pw=(sensitive) h=(sensitive)');
    expect(inv.recipients).toEqual([key.recipient]);
  });

  it('reaches states as the plaintext, redacted from anything shown', async () => {
    const file = inventory(`vars:\n  ${await secret("it's-a-secret", 'db_password', 2)}hosts:\n  local: {connection: local}\nstates: [app]\n`, 'resources:\n  - command: use-it\n    run: echo "{{ db_password }}"\n');
    const inv = await load(file);
    const [job] = compileJobs(inv, ['local'], builtinModules);
    expect(job.resources[0].spec.run).toBe(`echo "it's-a-secret"`);
    expect(redactSecrets(JSON.stringify(job.resources[0].spec), job.host.secrets)).not.toContain('a-secret');
  });

  it('no key, a key of other recipients: one error at the first value naming the key file and where its path came from', async () => {
    const file = inventory(`vars:\n  ${await secret('s1-value', 'db_password', 2)}  ${await secret('s2-value', 'api_token', 2)}hosts: {h: {}}\n`);
    expect(await errorsOf(file, env('missing.key'))).toEqual([
      `2:16: cannot decrypt db_password (and 1 more !secret value: api_token): no age identity: ${join(dir, 'missing.key')} does not exist (KEEL_AGE_KEY_FILE=${join(dir, 'missing.key')})`,
    ]);
    expect(await errorsOf(file, env('other.key'))).toEqual([
      `2:16: cannot decrypt db_password (and 1 more !secret value: api_token): no identity matches (tried ${join(dir, 'other.key')}: KEEL_AGE_KEY_FILE=${join(dir, 'other.key')})`,
    ]);
    const viaInventory = inventory(`secrets: {identity: ../other.key}\nvars:\n  ${await secret('s1-value', 'db_password', 2)}hosts: {h: {}}\n`);
    expect((await errorsOf(viaInventory, {}))[0]).toMatch(/^3:16: cannot decrypt db_password: no identity matches \(tried .*other\.key: secrets\.identity in .*inventory\.yaml\)$/);
  });

  it('corrupt ciphertext, plain text, a mapping, a !secret outside vars: each at its line, together', async () => {
    const good = await secret('fine-value', 'ok', 2);
    const cut = good.split('\n').filter((_l, i) => i !== 2).join('\n');
    const file = inventory(`defaults:\n  user: !secret "root"\nvars:\n  ${cut.replace('ok:', 'cut:')}  plain: !secret "not encrypted"\n  m: !secret {a: 1}\nhosts: {h: {}}\n`);
    expect(await errorsOf(file)).toEqual([
      "2:9: !secret is not allowed at defaults.user: encrypted values go in the inventory's vars (top level, group or host)",
      expect.stringMatching(/^4:8: cannot decrypt cut: corrupt ciphertext: /),
      '11:10: cannot decrypt plain: not armored age ciphertext (expected a block starting with -----BEGIN AGE ENCRYPTED FILE-----)',
      '12:6: m: !secret must tag a string (armored age ciphertext), found a mapping',
    ]);
  });

  it('a malformed recipient is an error at its line; a !secret in a state file is refused there', async () => {
    const file = inventory(`secrets:\n  recipients:\n    - ${key.recipient}\n    - age1oops\nhosts: {h: {}}\n`);
    expect(await errorsOf(file)).toEqual([expect.stringMatching(/^4:7: secrets\.recipients\[1\]: not an age recipient \(.*\): expected age1\.\.\. as printed by keel secret keygen/)]);
    const inState = inventory('hosts:\n  local: {connection: local}\nstates: [app]\n', 'resources:\n  - command: x\n    run: !secret "abc"\n');
    const inv = await load(inState);
    expect(compileErrors(inv, 'local')).toContain("app.yaml:3: !secret is not allowed at resources[0].run: encrypted values go in the inventory's vars (top level, group or host)");
  });
});

describe("env() reads the controller's environment", () => {
  it("in inventory vars (a whole value): read at load, sensitive when listed in sensitive_vars", async () => {
    process.env.KEEL_TEST_ENV_PW = 'from-the-environment';
    const file = inventory(`vars:\n  db_password: "{{ env('KEEL_TEST_ENV_PW') }}"\n  region: "{{ env('KEEL_TEST_UNSET_X', 'eu-1') }}"\n  literal: "{{ kept }} as written"\nsensitive_vars: [db_password]\nhosts: {h: {}}\n`);
    const h = (await load(file)).hosts.get('h')!;
    expect(h.vars).toMatchObject({ db_password: 'from-the-environment', region: 'eu-1', literal: '{{ kept }} as written' });
    expect(h.secrets).toContain('from-the-environment');
    expect(h.secrets).not.toContain('eu-1');
  });

  it('an unset variable without a default is an error at its line naming it', async () => {
    const file = inventory(`vars:\n  a: 1\n  db_password: "{{ env('KEEL_TEST_UNSET_Y') }}"\nhosts: {h: {}}\n`);
    expect(await errorsOf(file)).toEqual([expect.stringMatching(/^3:16: template error: env\('KEEL_TEST_UNSET_Y'\): KEEL_TEST_UNSET_Y is not set in keel's environment/)]);
  });

  it('in state files, rendered per host', async () => {
    process.env.KEEL_TEST_ENV_DIR = '/srv/from-env';
    const file = inventory('hosts:\n  local: {connection: local}\nstates: [app]\n', `resources:\n  - directory: "{{ env('KEEL_TEST_ENV_DIR') }}/x"\n  - command: c\n    run: "echo {{ env('KEEL_TEST_UNSET_Z') }}"\n`);
    expect(compileErrors(loadInventory(file), 'local')).toEqual([expect.stringMatching(/^app\.yaml:4: template error: env\('KEEL_TEST_UNSET_Z'\): KEEL_TEST_UNSET_Z is not set/)]);
    const ok = inventory('hosts:\n  local: {connection: local}\nstates: [app]\n', `resources:\n  - directory: "{{ env('KEEL_TEST_ENV_DIR') }}/x"\n`);
    expect(compileJobs(loadInventory(ok), ['local'], builtinModules)[0].resources[0].name).toBe('/srv/from-env/x');
  });
});
