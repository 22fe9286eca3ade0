import { describe, expect, it } from 'vitest';
import { ConfigError, ConfigErrors } from '../errors.js';
import { fileLocation, makeRenderer } from './render.js';

const r = makeRenderer({ port: 80, on: true, name: 'web', list: [1, 2], app: { root: '/srv/app' }, zero: 0 });

describe('makeRenderer', () => {
  it('leaves strings without templates alone', () => {
    expect(r.render('plain {not a template}')).toBe('plain {not a template}');
  });

  it('renders to a string, except a lone expression with a non-string value', () => {
    expect(r.render('{{ port }}')).toBe(80);
    expect(r.render(' {{ on }} ')).toBe(true);
    expect(r.render('{{ list }}')).toEqual([1, 2]);
    expect(r.render('{{ app }}')).toEqual({ root: '/srv/app' });
    expect(r.render('{{ port + 1 }}')).toBe(81);
    expect(r.render('{{ zero }}')).toBe(0);
    expect(r.render('{{ name }}')).toBe('web');
    expect(r.render('{{ "8080" | int }}')).toBe(8080);
    expect(r.render('port {{ port }}')).toBe('port 80');
    expect(r.render('{{ port }}{{ port }}')).toBe('8080');
    expect(r.renderString('{{ port }}')).toBe('80');
  });

  it('supports control flow, loops and guards without false undefined errors', () => {
    expect(r.render('{% for i in list %}{{ i }}{{ loop.index }};{% endfor %}')).toBe('11;22;');
    expect(r.render('{{ missing | default("d") }}')).toBe('d');
    expect(r.render('{% if missing is defined %}yes{% else %}no{% endif %}')).toBe('no');
    expect(r.render('{% set x = 3 %}{{ x }}')).toBe('3');
    expect(r.render('{{ app.root }}/{{ app["root"] }}')).toBe('/srv/app//srv/app');
    expect(r.renderString('{{ extra }}', { extra: 'e' })).toBe('e');
  });

  it('names undefined variables and dotted paths, with their position', () => {
    const at = fileLocation('t.j2', 'line one\nx {{ app.rot }} {% if nope %}{% endif %}');
    try {
      r.render('line one\nx {{ app.rot }} {% if nope %}{% endif %}', at);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigErrors);
      const errs = (e as ConfigErrors).errors;
      expect(errs.map((x) => [x.message, x.pos])).toEqual([
        ["undefined variable 'app.rot'; did you mean 'root'?", { file: 't.j2', line: 2, column: 6 }],
        ["undefined variable 'nope'; did you mean 'name'?", { file: 't.j2', line: 2, column: 23 }],
      ]);
    }
  });

  it('turns nunjucks syntax and runtime errors into ConfigErrors', () => {
    expect(() => r.render('{{ port port }}')).toThrow(new ConfigError('template error: expected variable end'));
    expect(() => r.render('{{ port | nosuchfilter }}')).toThrow(/template error: filter not found: nosuchfilter/);
  });
});

describe('templates run no code', () => {
  it('refuses constructor and prototype lookups', () => {
    const s = makeRenderer({ x: {} });
    expect(() => s.render('{{ "".constructor.constructor("return 42")() }}')).toThrow(/'constructor' cannot be read in a template/);
    expect(() => s.render('{{ x.__proto__ }}')).toThrow(/'__proto__' cannot be read/);
    expect(() => s.render('{{ range.constructor("return 1")() }}')).toThrow(/cannot be read/);
    expect(s.render('{{ "abc".length }}')).toBe(3);
  });
});

describe('computed keys', () => {
  it('read the mapping and the key: ports[item] renders, an undefined key variable is named', () => {
    const s = makeRenderer({ ports: { shop: 8001, blog: 8002 }, item: 'shop', app: { sites: { shop: { port: 1 } } } });
    expect(s.render('{{ ports[item] }}')).toBe(8001);
    expect(s.render('{{ ports["bl" ~ "og"] }}')).toBe(8002);
    expect(s.render('{{ app.sites[item].port }}')).toBe(1);
    expect(() => s.render('{{ ports[site] }}')).toThrow(/undefined variable 'site'/);
    expect(() => s.render('{{ portz[item] }}')).toThrow(/undefined variable 'portz'; did you mean 'ports'/);
  });
});
