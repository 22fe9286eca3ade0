import { readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeRenderer } from '../../src/config/index.js';
import { resourceSchema } from '../../src/config/resource-schema.js';
import { ConfigError } from '../../src/errors.js';
import type { PrepareEnv } from '../../src/module.js';
import { applyContext, checkFixture, convergeLive, loadFixtures, planLive } from '../test-helpers.js';
import { compiledTemplateCount, renderTemplateFile } from './render.js';
import { templateModule as m, type TemplateSpec } from './template.js';

/** What the engine hands prepare() (src/engine/compile.ts), for a state file in `stateDir`. */
function prepareEnv(stateDir: string, vars: Record<string, unknown>): PrepareEnv {
  const r = makeRenderer(vars);
  return {
    stateDir,
    vars,
    render: (t, extra) => r.renderString(t, extra),
    readFile: (rel) => readFileSync(resolve(stateDir, rel)),
  };
}

function caught(f: () => unknown): ConfigError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('template fixtures', () => {
  for (const [name, fx] of loadFixtures(new URL('./fixtures', import.meta.url).pathname)) {
    it(name, () => checkFixture(m, fx));
  }
});

describe('template schema', () => {
  const validate = new Ajv({ strict: true, allErrors: true }).compile(resourceSchema(m));

  it("is strict-mode valid and accepts its doc's examples", () => {
    const yaml = /```yaml\n([\s\S]*?)```/.exec(m.doc)![1];
    for (const item of parse(yaml) as Record<string, unknown>[]) {
      const { template: name, ...params } = item;
      expect(validate({ name, ...params }), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it('requires source unless state is absent', () => {
    expect(validate({ name: '/x' })).toBe(false);
    expect(validate({ name: '/x', state: 'absent' })).toBe(true);
    expect(validate({ name: '/x', source: 't.j2', vars: { a: 1 }, mode: '0600' })).toBe(true);
    expect(validate({ name: '/x', source: 't.j2', content: 'x' })).toBe(false);
  });
});

describe('template prepare (rendering on the controller)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keel-tpl-'));
    await mkdir(join(dir, 'templates', 'parts'), { recursive: true });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));
  const put = (rel: string, text: string) => writeFile(join(dir, rel), text);
  const prep = (spec: Omit<TemplateSpec, 'name'>, vars: Record<string, unknown> = {}) =>
    m.prepare!({ name: '/etc/app.conf', ...spec }, prepareEnv(dir, vars));

  it("renders with the host's variables, vars over them, and includes beside the template", async () => {
    await put('templates/app.conf.j2', 'name={{ app_name }}\nport={{ port }}\n{% include "parts/tail.j2" %}');
    await put('templates/parts/tail.j2', '{% for u in upstreams %}up {{ u }}\n{% endfor %}{% include "./last.j2" %}');
    await put('templates/parts/last.j2', '# {{ app_name }}\n');
    const out = prep({ source: 'templates/app.conf.j2', vars: { port: 9000 } }, { app_name: 'superbook', port: 80, upstreams: ['a', 'b'] });
    expect(out.content).toBe('name=superbook\nport=9000\nup a\nup b\n# superbook\n');
    expect(out.source).toBe('templates/app.conf.j2');
  });

  it('places an undefined variable at the template file line:column, with a suggestion', async () => {
    await put('templates/app.conf.j2', 'a\n  listen {{ server_nme }};\n');
    const e = caught(() => prep({ source: 'templates/app.conf.j2' }, { server_name: 'x' }));
    expect(e.message).toBe("undefined variable 'server_nme'; did you mean 'server_name'?");
    expect(e.pos).toEqual({ file: join(dir, 'templates/app.conf.j2'), line: 2, column: 13 });
    expect(e.resource).toBe('template:/etc/app.conf');
  });

  it('catches undefined variables in conditions and dotted paths, not in guarded ones', async () => {
    await put('templates/a.j2', '{% if ssl.enabled %}x{% endif %}');
    expect(caught(() => prep({ source: 'templates/a.j2' }, { ssl: {} })).message).toContain("undefined variable 'ssl.enabled'");
    await put('templates/b.j2', '{% if ssl is defined %}{{ ssl }}{% endif %}{{ port | default(80) }}');
    expect(prep({ source: 'templates/b.j2' }).content).toBe('80');
  });

  it('places an undefined variable inside an included file in that file', async () => {
    await put('templates/top.j2', 'x\n{% for u in ups %}{% include "parts/inc.j2" %}{% endfor %}\ny {{ a }}\n');
    await put('templates/parts/inc.j2', '{{ u }}\n{{ missing }}\n');
    const e = caught(() => prep({ source: 'templates/top.j2' }, { ups: [1], a: 1 }));
    // `u` is bound by the including loop: not reported.
    expect(e.message).toBe("undefined variable 'missing'");
    expect(e.pos).toEqual({ file: join(dir, 'templates/parts/inc.j2'), line: 2, column: 4 });
  });

  it('reports syntax errors at file:line, in the template or in an include', async () => {
    await put('templates/bad.j2', 'ok\n{% if %}\n');
    const e = caught(() => prep({ source: 'templates/bad.j2' }));
    expect(e.message).toMatch(/^template syntax error: unexpected token/);
    expect(e.pos).toMatchObject({ file: join(dir, 'templates/bad.j2'), line: 2 });

    await put('templates/top.j2', 'a\n{% include "bad.j2" %}\n');
    const inc = caught(() => prep({ source: 'templates/top.j2' }));
    expect(inc.pos).toMatchObject({ file: join(dir, 'templates/bad.j2'), line: 2 });
  });

  it('reports a syntax error in a dynamically named include without crashing the process', async () => {
    await put('templates/top.j2', '{% include which %}');
    const e = caught(() => prep({ source: 'templates/top.j2' }, { which: 'bad.j2' }));
    await put('templates/bad.j2', '{% for %}');
    const e2 = caught(() => prep({ source: 'templates/top.j2' }, { which: 'bad.j2' }));
    expect(e.message).toMatch(/template not found: bad\.j2/);
    expect(e2.message).toMatch(/^template syntax error/);
    expect(e2.pos).toMatchObject({ file: join(dir, 'templates/bad.j2'), line: 1 });
    // Give an asynchronously thrown error (nunjucks' callbackAsap) the chance to surface.
    await new Promise((r) => setTimeout(r, 20));
  });

  it('names a missing include at its position', async () => {
    await put('templates/top.j2', 'a\n  {% include "nope.j2" %}\n{% include "gone.j2" ignore missing %}');
    const e = caught(() => prep({ source: 'templates/top.j2' }));
    expect(e.message).toBe('template not found: nope.j2');
    expect(e.pos).toEqual({ file: join(dir, 'templates/top.j2'), line: 2, column: 14 });
  });

  it('reports an unreadable source and a null value', async () => {
    expect(() => prep({ source: 'templates/none.j2' })).toThrow(/cannot read/);
    await put('templates/n.j2', 'x\n{{ v }}');
    const e = caught(() => prep({ source: 'templates/n.j2' }, { v: null }));
    expect(e.message).toMatch(/null or undefined/);
    expect(e.hint).toMatch(/null/);
    expect(e.pos).toEqual({ file: join(dir, 'templates/n.j2'), line: 2, column: 1 }); // nunjucks points at the {{
  });

  it('does not trust nunjucks positions once an include took part', async () => {
    await put('templates/inc.j2', 'inc\n');
    await put('templates/top.j2', '{% include "inc.j2" %}\n{{ v }}\n');
    const e = caught(() => prep({ source: 'templates/top.j2' }, { v: null }));
    expect(e.message).toContain(`(rendering ${join(dir, 'templates/top.j2')})`);
    expect(e.pos).toBeUndefined(); // the engine then points at the resource in the state file
  });

  it('skips rendering for state absent', () => {
    expect(prep({ state: 'absent' })).toEqual({ name: '/etc/app.conf', state: 'absent' });
  });
});

describe('template on this machine', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keel-tpl-live-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('plans drift with a diff, applies, is in sync, then notices a hand edit', async () => {
    await writeFile(join(dir, 'app.conf.j2'), 'server_name {{ server_name }};\nlisten {{ port }};\n');
    const path = join(dir, 'app.conf');
    await writeFile(path, 'server_name old;\nlisten 80;\n');
    await chmod(path, 0o600);
    const spec = m.prepare!({ name: path, source: 'app.conf.j2', vars: { port: 8080 } }, prepareEnv(dir, { server_name: 'example.org', port: 80 }));

    const { before, after } = await convergeLive(m, spec);
    expect(before.action).toBe('update');
    expect(before.diff).toContain('-server_name old;\n-listen 80;\n+server_name example.org;\n+listen 8080;\n');
    expect(after.action).toBe('none');
    expect(await readFile(path, 'utf8')).toBe('server_name example.org;\nlisten 8080;\n');
    expect(((await stat(path)).mode & 0o7777).toString(8)).toBe('600'); // unmanaged mode kept

    await writeFile(path, 'server_name example.org;\nlisten 1;\n');
    const drift = await planLive(m, spec);
    expect(drift.action).toBe('update');
    expect(drift.diff).toContain('-listen 1;\n+listen 8080;\n');
    await m.apply(applyContext(), drift, spec);
    expect((await planLive(m, spec)).action).toBe('none');
  });

  it('creates with a mode and removes with state absent', async () => {
    await writeFile(join(dir, 't.j2'), 'x\n');
    const path = join(dir, 'new.conf');
    const spec = m.prepare!({ name: path, source: 't.j2', mode: '0640' }, prepareEnv(dir, {}));
    const { before, after } = await convergeLive(m, spec);
    expect(before.action).toBe('create');
    expect(before.diff).toContain('--- /dev/null\n');
    expect(after.action).toBe('none');
    expect(((await stat(path)).mode & 0o7777).toString(8)).toBe('640');
    const gone = await convergeLive(m, { name: path, state: 'absent' });
    expect(gone.before.action).toBe('delete');
    expect(gone.after.action).toBe('none');
  });
});

describe('compiled templates', () => {
  it('keeps one per file however often its text is edited (a long `keel drift --every` stays bounded)', () => {
    const file = join(tmpdir(), 'keel-edited.j2');
    const before = compiledTemplateCount();
    for (let i = 0; i < 50; i++) expect(renderTemplateFile({ file, text: `v${i}={{ x }}` }, { x: i }, [tmpdir()])).toBe(`v${i}=${i}`);
    expect(compiledTemplateCount()).toBe(before + 1);
    // the same text again: the kept compile renders it
    expect(renderTemplateFile({ file, text: 'v49={{ x }}' }, { x: 'y' }, [tmpdir()])).toBe('v49=y');
    expect(compiledTemplateCount()).toBe(before + 1);
  });
});
