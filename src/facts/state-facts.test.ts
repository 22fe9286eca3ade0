import { describe, expect, it } from 'vitest';
import { makeRenderer } from '../config/render.js';
import { mergeVars } from '../config/vars.js';
import { testFacts } from '../../modules/test-helpers.js';
import { factsPlaceholder, stateFacts } from './state-facts.js';

describe('the facts variable', () => {
  it('snake_case names as states write them, frozen', () => {
    const f = stateFacts(testFacts);
    expect(f).toEqual({
      os: { family: 'debian', id: 'debian', version_id: '12', codename: 'bookworm' },
      arch: 'x86_64',
      kernel: '6.1.0',
      hostname: 'test',
      fqdn: 'test.example.com',
      cpus: 2,
      memory_mb: 2048,
      init: 'systemd',
      pkg_manager: 'apt',
      addresses: ['192.0.2.10'],
    });
    expect(Object.isFrozen(f.os) && Object.isFrozen(f.addresses)).toBe(true);
  });

  it('the placeholder: same keys and types, and it notes a read but not a merge that carries it', () => {
    const p = factsPlaceholder();
    const vars = mergeVars({ facts: p.facts, a: 1 }, { b: 2 });
    expect(vars.facts).toBe(p.facts);
    expect(p.read()).toBe(false);
    const real = stateFacts(testFacts);
    for (const [k, v] of Object.entries(p.facts)) expect([k, typeof v, Array.isArray(v)]).toEqual([k, typeof real[k as keyof typeof real], Array.isArray(real[k as keyof typeof real])]);
    expect(p.read()).toBe(true);
  });

  it('a render that only passes vars around reads nothing; one that uses a fact does', () => {
    const p = factsPlaceholder();
    const r = makeRenderer({ facts: p.facts, name: 'web' });
    expect(r.render('{{ name }}')).toBe('web');
    expect(p.read()).toBe(false);
    expect(r.render("{{ facts.os.family == 'redhat' }}")).toBe(false);
    expect(p.read()).toBe(true);
  });

  it('the placeholder is a plausible host: states valid on real hosts compile with it', () => {
    const r = makeRenderer({ facts: factsPlaceholder().facts });
    expect(r.render('/srv/{{ facts.os.id }}')).toMatch(/^\/srv\/[a-z]+$/);
    expect(r.render('{{ facts.addresses[0] }}')).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(r.render('{{ facts.cpus * 600 }}')).toBeGreaterThanOrEqual(600);
    expect(r.render('linux-headers-{{ facts.kernel }}')).toMatch(/^linux-headers-[0-9][\w.+-]*$/);
    expect(r.render('{{ facts.hostname }}')).not.toBe(r.render('{{ facts.fqdn }}'));
  });
});
