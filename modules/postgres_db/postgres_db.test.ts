import { describe, expect, it } from 'vitest';
import { checkFixture, loadFixtures } from '../test-helpers.js';
import { normalizeEncoding, planDb, postgresDbModule } from './postgres_db.js';

const fixtures = new URL('./fixtures', import.meta.url).pathname;

describe('postgres_db fixtures', () => {
  it.each(loadFixtures(fixtures))('%s', (_name, fx) => checkFixture(postgresDbModule, fx));
});

describe('postgres_db plan', () => {
  it('creates from template0 with quoted names', () => {
    const plan = planDb({ name: 'my"db', owner: 'Owner', encoding: 'LATIN1' }, { server: 'ready' });
    expect(plan.steps?.sql).toBe(`CREATE DATABASE "my""db" OWNER "Owner" ENCODING 'LATIN1' TEMPLATE "template0";\n`);
  });
  it('compares encodings loosely', () => {
    expect(normalizeEncoding('utf-8')).toBe(normalizeEncoding('UTF8'));
    expect(normalizeEncoding('unicode')).toBe('UTF8');
    expect(normalizeEncoding('iso_8859_5')).toBe(normalizeEncoding('ISO-8859-5'));
  });
  it('requires its owner role', () => {
    expect(postgresDbModule.autoRequires!({ name: 'd', owner: 'app' })).toContain('postgres_role:app');
  });
});
