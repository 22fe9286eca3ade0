/**
 * A database password kept as an age-encrypted `!secret` in the inventory reaches PostgreSQL on
 * a lab host (logging in with it over psql works) and appears in zero bytes of what keel prints
 * or keeps: stdout, --json, logs at trace level (debug included), keel drift's output and its
 * history database, keel history --json. The password is listed nowhere in sensitive_vars:
 * a decrypted value is sensitive by itself.
 */
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shq } from '../../src/shell.js';
import { encryptArmored } from '../../src/secrets/age.js';
import { secretBlock } from '../../src/secrets/secret-block.js';
import { keel } from '../helpers/keel.js';
import { labHosts, labSkip } from '../lab/lab-env.js';
import type { LabTestHost } from '../lab/global-setup.js';
import { labProject, onHost, type LabProject } from '../lab-ssh/lab-inventory.js';
import { tracedRuns } from './traced-runs.js';

const token = randomBytes(6).toString('hex');
/** Quotes, a dollar and a backslash: what shell and SQL quoting would turn into other bytes. */
const SECRET = `Pg'${token}"$HOME\\x`;

describe.skipIf(!!labSkip)('an age-encrypted database password on a lab host', () => {
  const role = `ks_${randomBytes(3).toString('hex')}`;
  let host: LabTestHost;
  let project: LabProject;
  let hadPostgres = true;

  beforeAll(async () => {
    host = labHosts()[6];
    expect(host.name).toBe('lab7');
    hadPostgres = (await onHost(host, 'dpkg-query -W -f=\'${Status}\' postgresql 2>/dev/null || true')).includes('install ok installed');
    project = labProject(labHosts(), { [host.name]: { address: host.address, states: ['db'] } });
    const key = join(project.dir, 'age.key');
    const gen = await keel(['secret', 'keygen'], { env: { KEEL_AGE_KEY_FILE: key } });
    expect(gen.code, gen.stderr).toBe(0);
    const block = secretBlock(await encryptArmored(SECRET, [gen.stdout.trim()]), 'db_password').replace(/^(?=.)/gm, '  ');
    const inv = readFileSync(project.inventory, 'utf8');
    writeFileSync(project.inventory, `secrets:\n  recipients: [${gen.stdout.trim()}]\n  identity: age.key\nvars:\n  db_role: ${role}\n${block}${inv}`);
    project.writeState(
      'db',
      `resources:
  - pkg: postgresql
  - service: postgresql
    running: true
    enabled: true
    require: [pkg:postgresql]
  - postgres_role: "{{ db_role }}"
    password: "{{ db_password }}"
    require: [service:postgresql]
`,
    );
  });

  afterAll(async () => {
    if (!host) return;
    // leave lab7 as it was: PostgreSQL only if it was there before, and never this role
    if (hadPostgres) await onHost(host, `cd / && runuser -u postgres -- psql -X -q -c 'DROP ROLE IF EXISTS ${role}'`).catch(() => undefined);
    else await onHost(host, "DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq 'postgresql*' >/dev/null && rm -rf /var/lib/postgresql /etc/postgresql /var/log/postgresql");
  });

  it('reaches PostgreSQL: psql logs in with it; not one byte of it in any output, log or history', async () => {
    const { run, keep, outputs } = tracedRuns(project);
    const plan = keep(await run('plan', '--json'), 2);
    expect(plan.log).toContain('"level":20'); // debug lines are in the log: the level took
    keep(await run('plan'), 2);
    const conv = keep(await run('converge', '--json'), 0);
    expect(JSON.parse(conv.stdout).hosts[0].summary).toMatchObject({ failed: 0 });
    const text = keep(await run('converge'), 0);
    expect(text.stdout).toContain('ok=');
    // a hand-changed password is drift: keel drift records it (with the field redacted) in its history
    await onHost(host, `cd / && runuser -u postgres -- psql -X -q -c "ALTER ROLE ${role} PASSWORD 'by-hand'"`);
    const drift = keep(await run('drift'), 2);
    expect(drift.stdout).toContain(`postgres_role:${role}`);
    const history = await keel(['history', '-i', project.inventory, '--json']);
    expect(history.code, history.stderr).toBe(0);
    expect(history.stdout).toContain(`postgres_role:${role}`);
    outputs.push(history.stdout, history.stderr);
    keep(await run('converge'), 0);

    const login = await onHost(host, `PGPASSWORD=${shq(SECRET)} psql -X -A -t -h 127.0.0.1 -U ${role} -d postgres -c 'select current_user'`);
    expect(login).toBe(`${role}\n`);

    for (const out of outputs) for (const form of [token, SECRET]) expect(out).not.toContain(form);
    const stateDir = join(project.dir, '.keel');
    const files = readdirSync(stateDir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    expect(files.map((f) => f.name)).toEqual(expect.arrayContaining([expect.stringMatching(/\.db$/)]));
    for (const f of files) expect(readFileSync(join(f.parentPath, f.name)).toString('latin1'), f.name).not.toContain(token);
    // and the ciphertext in the inventory is what Debian's age decrypts to the same password
    const armored = /db_password: !secret \|\n((?: {4}.*\n)+)/.exec(readFileSync(project.inventory, 'utf8'))![1].replace(/^ {4}/gm, '');
    expect(execFileSync('age', ['-d', '-i', join(project.dir, 'age.key')], { input: armored }).toString()).toBe(SECRET);
  }, 600_000);
});
