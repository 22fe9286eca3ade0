import { describe, expect, it } from 'vitest';
import { checkFixture, fixturePlan, loadFixtures, recordingContext, sh } from '../test-helpers.js';
import { parsePsqlProbe, passwordMatches, psqlApplyScript, psqlProbe } from '../postgres_shared/index.js';
import { postgresRoleModule, roleSql } from './postgres_role.js';

const fixtures = new URL('./fixtures', import.meta.url).pathname;

describe('postgres_role fixtures', () => {
  it.each(loadFixtures(fixtures))('%s', (_name, fx) => checkFixture(postgresRoleModule, fx));
});

describe('postgres_role apply', () => {
  // the fixtures mask the verifier (its salt is random): what they hide is checked here
  it('sends a verifier of the declared password with a fresh salt, never the password', async () => {
    const fx = loadFixtures(fixtures).find(([f]) => f === 'create.json')![1];
    const verifiers: string[] = [];
    for (let i = 0; i < 2; i++) {
      const rec = recordingContext();
      await postgresRoleModule.apply(rec.ctx, fixturePlan(postgresRoleModule, fx), fx.spec);
      const stdin = String((rec.commands[0] as { stdin: string }).stdin);
      expect(stdin).not.toContain(String(fx.spec.password));
      verifiers.push(/PASSWORD '([^']+)'/.exec(stdin)![1]);
    }
    for (const v of verifiers) expect(passwordMatches(String(fx.spec.password), v, 'app')).toBe(true);
    expect(verifiers[0]).not.toBe(verifiers[1]);
  });
});

describe('postgres_role SQL', () => {
  it('quotes the name and puts the verifier, never the password, in the statement', () => {
    const sql = roleSql('we"ird', { op: 'create', attrs: ['LOGIN', 'NOSUPERUSER'], setPassword: true }, 'SCRAM-SHA-256$4096:x$y:z');
    expect(sql).toBe(`CREATE ROLE "we""ird" WITH LOGIN NOSUPERUSER PASSWORD 'SCRAM-SHA-256$4096:x$y:z';\n`);
    expect(roleSql('a', { op: 'drop', attrs: [], setPassword: false })).toBe('DROP ROLE "a";\n');
    expect(roleSql('a', { op: 'alter', attrs: [], setPassword: true }, 'v')).toBe(`ALTER ROLE "a" WITH PASSWORD 'v';\n`);
  });
  it('probes without the password and reads the verifier only when one is declared', async () => {
    expect(postgresRoleModule.probe({ name: 'app' })).not.toContain("'\\''password'\\'', rolpassword");
    expect(postgresRoleModule.probe({ name: 'app', password: 'hunter2' })).toContain("'\\''password'\\'', rolpassword");
    expect(postgresRoleModule.probe({ name: 'app', password: 'hunter2' })).not.toContain('hunter2');
    const last = (postgresRoleModule.probe({ name: "o'neil" }) as string).split('\n').pop()!;
    const r = await sh(last.replace(/\| runuser .*$/, '| cat'));
    expect(r.stdout.toString()).toContain("FROM pg_authid WHERE rolname = 'o''neil';\n");
  });
  it('psql reads SQL on stdin and fails clearly without a server', () => {
    expect(psqlApplyScript()).toContain("'PostgreSQL is not running on the host'");
    expect(psqlProbe('SELECT 1;')).toMatch(/printf '%s\\n' 'SELECT 1;' \| runuser -u postgres -- psql /);
  });
  it('marks the password sensitive and never puts it in changes', () => {
    expect(postgresRoleModule.sensitive).toEqual(['password']);
    const plan = postgresRoleModule.plan(
      { name: 'a', password: 'hunter2' },
      postgresRoleModule.parse({ name: 'a', password: 'hunter2' }, { code: 0, text: 'pg=ready\n', stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) }, {} as never),
      {} as never,
      { changed: () => false },
    );
    expect(JSON.stringify(plan)).not.toContain('hunter2');
  });
  it('parses rows with any character in them', () => {
    const r = parsePsqlProbe<{ n: string }>('x', { code: 0, text: 'pg=ready\n{"n":"a|b\\nc"}\n', stderr: Buffer.alloc(0) });
    expect(r).toEqual({ status: 'ready', rows: [{ n: 'a|b\nc' }] });
  });
});
