/**
 * postgres_role and postgres_db on one real PostgreSQL server (installed by keel through the
 * lab's apt proxy): the password never appears in any output yet logging in with it works,
 * attributes and a hand-changed password are found again, and so is a hand-changed db owner.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labSkip } from '../lab/lab-env.js';
import { change, expectInSync, moduleHost, moduleProject, ok, onHost, res, uniq, type ModuleProject } from './module-lab.js';

describe.skipIf(!!labSkip)('postgres_role and postgres_db modules on a lab host', () => {
  const s = uniq();
  const role = `kr_${s}`;
  const db = `kd_${s}`;
  const secret = `Pw-${randomBytes(12).toString('hex')}`;
  const roleId = `postgres_role:${role}`;
  const dbId = `postgres_db:${db}`;
  let p: ModuleProject;
  /** SQL as postgres on the host (stdin, so quotes are free). */
  const sql = (h: ModuleProject['host'], q: string) => onHost(h, `cd / && runuser -u postgres -- psql -X -q -A -t -d postgres <<'SQL'\n${q}\nSQL`);
  /** Log in over TCP with a password: `ok` or psql's exit code. */
  const login = (h: ModuleProject['host'], pw: string) =>
    onHost(h, `PGPASSWORD='${pw}' psql -X -A -t -h 127.0.0.1 -U ${role} -d ${db} -c 'select 1' 2>&1 && echo ok || echo "failed $?"`);
  /** Every byte keel printed must be free of the password. */
  const noSecret = (r: { stdout: string; stderr: string }) => {
    expect(r.stdout.includes(secret), 'password in stdout').toBe(false);
    expect(r.stderr.includes(secret), 'password in stderr').toBe(false);
  };

  beforeAll(() => {
    p = moduleProject(moduleHost(2), { db_password: secret });
    p.state(`resources:
  - pkg: postgresql
  - service: postgresql
    running: true
    enabled: true
  - postgres_role: ${role}
    password: "{{ db_password }}"
    createdb: false
  - postgres_db: ${db}
    owner: ${role}
`);
  });

  afterAll(async () => {
    await sql(p.host, `DROP DATABASE IF EXISTS ${db};\nDROP ROLE IF EXISTS ${role};`).catch(() => undefined);
  });

  it('creates the role and db with the password never shown, is in sync, and finds hand changes again', async () => {
    const plan = await p.plan();
    noSecret(plan);
    ok(plan, 2);
    expect(res(plan.report, roleId).action).toBe('create');
    expect(change(plan.report, roleId, 'password')).toEqual({ field: 'password', from: null, to: '(sensitive)' });
    expect(res(plan.report, dbId).action).toBe('create');
    const text = await p.planText();
    noSecret(text);
    expect(text.stdout).toContain('(sensitive)');

    // the first install of PostgreSQL comes through the apt proxy: allow for the download
    const conv = await p.converge();
    noSecret(conv);
    ok(conv);
    expect(await login(p.host, secret)).toBe('1\nok\n');
    expect(await sql(p.host, `SELECT rolcanlogin, rolsuper, rolcreatedb FROM pg_roles WHERE rolname = '${role}';`)).toBe('t|f|f\n');
    expect(await sql(p.host, `SELECT pg_get_userbyid(datdba), pg_encoding_to_char(encoding) FROM pg_database WHERE datname = '${db}';`)).toBe(
      `${role}|UTF8\n`,
    );
    // the server keeps a verifier, never the password
    expect(await sql(p.host, `SELECT rolpassword LIKE 'SCRAM-SHA-256$%' FROM pg_authid WHERE rolname = '${role}';`)).toBe('t\n');
    await expectInSync(p);

    // by hand: another password, CREATEDB, and the database given to postgres
    await sql(p.host, `ALTER ROLE ${role} PASSWORD 'other-pw' CREATEDB;\nALTER DATABASE ${db} OWNER TO postgres;`);
    expect(await login(p.host, secret)).toMatch(/^failed/m);
    const drift = await p.plan();
    noSecret(drift);
    ok(drift, 2);
    expect(change(drift.report, roleId, 'password')).toEqual({ field: 'password', from: '(sensitive)', to: '(sensitive)' });
    expect(change(drift.report, roleId, 'createdb')).toEqual({ field: 'createdb', from: true, to: false });
    expect(change(drift.report, dbId, 'owner')).toEqual({ field: 'owner', from: 'postgres', to: role });

    // a text converge with every log line: still no password anywhere
    const fix = await p.convergeText('--log-level', 'trace');
    noSecret(fix);
    ok(fix);
    expect(await login(p.host, secret)).toBe('1\nok\n');
    expect(await login(p.host, 'other-pw')).toMatch(/^failed/m);
    expect(await sql(p.host, `SELECT rolcreatedb, (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '${db}') FROM pg_roles WHERE rolname = '${role}';`)).toBe(
      `f|${role}\n`,
    );
    await expectInSync(p);
  }, 600_000);
});
