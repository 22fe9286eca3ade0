/**
 * postgres_role and postgres_db against a real PostgreSQL on this machine (Debian's cluster,
 * started with pg_ctlcluster when it is down, and stopped again after). One file for both, so
 * two test workers never start and stop the same cluster.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyContext, planLive, sh } from '../test-helpers.js';
import { postgresRoleModule, type PostgresRoleSpec } from '../postgres_role/postgres_role.js';
import { postgresDbModule, type PostgresDbSpec } from './postgres_db.js';

const cluster = (await sh("pg_lsclusters -h 2>/dev/null | awk 'NR==1 {print $1, $2, $4}'")).stdout.toString().trim().split(' ');
const canRun = process.getuid?.() === 0 && cluster.length === 3;
const psql = (sql: string) => sh('cd / && runuser -u postgres -- psql -X -q -A -t -v ON_ERROR_STOP=1 -d postgres', { stdin: sql });

describe.skipIf(!canRun && process.env.CI !== 'true')('postgres on this machine', () => {
  const [version, name, status] = cluster;
  let startedHere = false;
  const role = 'keeltest_r1';
  const db = 'keeltest "db"';
  const cleanup = `DROP DATABASE IF EXISTS "keeltest ""db""";\nDROP ROLE IF EXISTS ${role};\nDROP ROLE IF EXISTS keeltest_r2;\n`;

  beforeAll(async () => {
    if (status !== 'online') {
      const r = await sh(`pg_ctlcluster ${version} ${name} start`);
      expect(r.stderr.toString()).toBe('');
      startedHere = true;
    }
    for (let i = 0; i < 50 && (await sh('pg_isready -q')).code !== 0; i++) await new Promise((res) => setTimeout(res, 200));
    await psql(cleanup);
  });
  afterAll(async () => {
    await psql(cleanup);
    if (startedHere) await sh(`pg_ctlcluster ${version} ${name} stop`);
  });

  it('manages a role and its password without the password ever leaving as clear text', async () => {
    const ctx = applyContext();
    const spec: PostgresRoleSpec = { name: role, password: "s3cret 'quoted' \\ pässwörd", createdb: true };
    const p1 = await planLive(postgresRoleModule, spec);
    expect(p1.action).toBe('create');
    await postgresRoleModule.apply(ctx, p1, spec);
    expect(await planLive(postgresRoleModule, spec)).toEqual({ action: 'none', changes: [] });

    // PostgreSQL itself accepts the verifier keel computed: log in with the password over TCP
    // (the password goes in on stdin, not argv).
    const r = await sh(`cd / && PGPASSWORD=$(cat) psql -X -A -t -h 127.0.0.1 -U ${role} -d postgres -c 'SELECT current_user'`, { stdin: spec.password });
    expect(r.stdout.toString().trim()).toBe(role);

    // A password set by PostgreSQL's own hashing (its SASLprep, its salt) is recognised...
    expect((await psql(`ALTER ROLE ${role} PASSWORD 'Ⅸ';`)).code).toBe(0);
    expect((await planLive(postgresRoleModule, { name: role, password: 'Ⅸ' })).action).toBe('none');
    expect((await planLive(postgresRoleModule, { name: role, password: 'IX' })).action).toBe('none'); // NFKC
    // ... and a hand change is drift.
    const p2 = await planLive(postgresRoleModule, spec);
    expect(p2).toMatchObject({ action: 'update', changes: [{ field: 'password', from: '(password)', to: '(password)' }] });
    expect(JSON.stringify(p2)).not.toContain('s3cret');
    await postgresRoleModule.apply(ctx, p2, spec);
    expect((await planLive(postgresRoleModule, spec)).action).toBe('none');

    expect((await psql(`ALTER ROLE ${role} NOCREATEDB NOLOGIN;`)).code).toBe(0);
    const p3 = await planLive(postgresRoleModule, spec);
    expect(p3.changes).toEqual([
      { field: 'login', from: false, to: true },
      { field: 'createdb', from: false, to: true },
    ]);
    await postgresRoleModule.apply(ctx, p3, spec);
    expect((await planLive(postgresRoleModule, spec)).action).toBe('none');
  });

  it('manages a database, its owner and refuses an encoding change', async () => {
    const ctx = applyContext();
    await postgresRoleModule.apply(ctx, await planLive(postgresRoleModule, { name: 'keeltest_r2' }), { name: 'keeltest_r2' });
    const spec: PostgresDbSpec = { name: db, owner: 'keeltest_r2' };
    const p1 = await planLive(postgresDbModule, spec);
    expect(p1.action).toBe('create');
    await postgresDbModule.apply(ctx, p1, spec);
    expect(await planLive(postgresDbModule, spec)).toEqual({ action: 'none', changes: [] });

    expect((await psql(`ALTER DATABASE "keeltest ""db""" OWNER TO postgres;`)).code).toBe(0);
    const p2 = await planLive(postgresDbModule, spec);
    expect(p2.changes).toEqual([{ field: 'owner', from: 'postgres', to: 'keeltest_r2' }]);
    await postgresDbModule.apply(ctx, p2, spec);
    expect((await planLive(postgresDbModule, spec)).action).toBe('none');

    await expect(planLive(postgresDbModule, { ...spec, encoding: 'LATIN1' })).rejects.toThrow('cannot change after creation');

    for (const [m, s] of [
      [postgresDbModule, { name: db, state: 'absent' }],
      [postgresRoleModule, { name: 'keeltest_r2', state: 'absent' }],
    ] as const) {
      const p = await planLive(m as never, s);
      expect(p.action).toBe('delete');
      await m.apply(ctx, p as never, s as never);
      expect((await planLive(m as never, s)).action).toBe('none');
    }
  });
});
