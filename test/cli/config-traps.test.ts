/**
 * Values that used to escape as internal errors or pass silently, refused at validate with
 * file:line: a template expression that is a function ("could not be cloned", or the function's
 * JavaScript source written into a file), a YAML alias inside its own anchor ("Maximum call stack
 * size exceeded"), a NUL produced by a template; and template includes or sources that leave
 * the state's folder for a sibling whose name starts the same (`states-evil/` beside `states/`).
 */
import { symlinkSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadErrors } from '../helpers/config-errors.js';
import { keel } from '../helpers/keel.js';
import { project } from '../engine/local-env.js';

const p = project({}, '');
afterAll(() => p.remove());

function errorsOf(name: string, state: string, inventoryExtra = '') {
  const file = p.write(`states/${name}.yaml`, state);
  const inventory = p.write(`${name}.yaml`, `${inventoryExtra}hosts:\n  h:\n    connection: local\n    states: [${name}]\n`);
  return { file, inventory, errors: loadErrors(inventory) };
}

describe('template values that are functions', () => {
  it.each([
    ['{{ range }}', 'a whole value', 'content: "{{ range }}"', 3],
    ['{{ cycler(1, 2) }}', 'an object with methods', 'content: "{{ cycler(1, 2) }}"', 3],
    ['x {{ range }}', 'inside a string', 'content: "x {{ range }}"', 3],
    ['{{ names.push }}', 'a method of a list', 'content: "{{ names.push }}"', 3],
  ])('%s (%s) is an error at its line', (_expr, _what, line, at) => {
    const { file, errors } = errorsOf(`fn-${at}-${_expr.replace(/\W+/g, '')}`, `resources:\n  - file: /tmp/keel-fn\n    ${line}\n`, 'vars: {names: [a]}\n');
    expect(errors.map((e) => e.format())).toHaveLength(1);
    expect(errors[0].pos).toMatchObject({ file, line: at });
    expect(errors[0].message).toMatch(/this expression is a function, not a value: call it/);
  });

  it('a function inside a template file is an error at the template\'s line', () => {
    p.write('states/templates/fn.j2', 'ok\n{{ joiner }}\n');
    const { errors } = errorsOf('fn-template', 'resources:\n  - template: /tmp/keel-fn-t\n    source: templates/fn.j2\n');
    expect(errors).toHaveLength(1);
    expect(errors[0].pos).toMatchObject({ file: `${p.dir}/states/templates/fn.j2`, line: 2 });
    expect(errors[0].message).toMatch(/function, not a value/);
  });
});

describe('YAML aliases and NUL', () => {
  it.each([
    ['a list containing itself', 'resources:\n  - command: x\n    run: "true"\n    env: &loop {A: *loop}\n', 4],
    ['a resource containing itself', 'resources:\n  - &r\n    command: x\n    run: "true"\n    require: [*r]\n', 5],
  ])('%s is an error at the alias', (_what, state, line) => {
    const { file, errors } = errorsOf(`alias-${line}`, state);
    expect(errors).toHaveLength(1);
    expect(errors[0].pos).toMatchObject({ file, line });
    expect(errors[0].message).toMatch(/inside its own anchor/);
  });

  it('an inventory variable containing itself is an error at the alias', () => {
    const inventory = p.write('alias-inv.yaml', 'vars:\n  a: &v [1, *v]\nhosts:\n  h: {connection: local}\n');
    const errors = loadErrors(inventory);
    expect(errors).toHaveLength(1);
    expect(errors[0].pos).toMatchObject({ file: inventory, line: 2 });
  });

  it('a NUL from a template is an error at the value', () => {
    const { file, errors } = errorsOf('nul-template', 'resources:\n  - file: "/tmp/{{ name }}"\n    content: x\n', 'vars: {name: "a\\0b"}\n');
    // the inventory value itself is refused first, where it is written
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/NUL/);
    expect(errors[0].pos?.line).toBe(1);
    expect(file).toContain('nul-template');
  });
});

describe('includes and sources stay in their folders', () => {
  p.write('states-evil/secret.j2', 'stolen\n');
  p.write('states-evil/secret.txt', 'stolen\n');
  p.write('states/templates/ok.j2', 'ok {% include "parts/inner.j2" %}\n');
  p.write('states/templates/parts/inner.j2', 'inner\n');

  it.each([
    ['x/../../states-evil/secret.j2', 'looked up in the state folder'],
    ['../../states-evil/secret.j2', 'relative to the including file'],
  ])('include "%s" (%s) is refused', (name) => {
    p.write('states/templates/escape.j2', `line one\n{% include "${name}" %}\n`);
    const { errors } = errorsOf(`inc-${name.length}`, 'resources:\n  - template: /tmp/keel-inc\n    source: templates/escape.j2\n');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/outside the template folders/);
    expect(errors[0].pos).toMatchObject({ file: `${p.dir}/states/templates/escape.j2`, line: 2 });
  });

  it.each(['file', 'template', 'systemd_unit'])('%s source: ../states-evil/... is refused', (kind) => {
    const name = kind === 'systemd_unit' ? 'keel-src.service' : '/tmp/keel-src';
    const { file, errors } = errorsOf(`src-${kind}`, `resources:\n  - ${kind}: ${name}\n    source: ../states-evil/secret.${kind === 'template' ? 'j2' : 'txt'}\n`);
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/outside the state's folder/);
    expect(errors[0].pos).toMatchObject({ file, line: 2 });
  });

  it('a symlink inside the state folder that points out of it is refused as a source', () => {
    symlinkSync(`${p.dir}/states-evil`, `${p.dir}/states/evil`);
    const { file, errors } = errorsOf('src-link', 'resources:\n  - file: /tmp/keel-src-link\n    source: evil/secret.txt\n');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/outside the state's folder/);
    expect(errors[0].pos).toMatchObject({ file, line: 2 });
  });

  it('includes below the template folder still work', () => {
    const { errors } = errorsOf('inc-ok', 'resources:\n  - template: /tmp/keel-inc-ok\n    source: templates/ok.j2\n');
    expect(errors.map((e) => e.format())).toEqual([]);
  });

  it('through the CLI: exit 1, file:line, no stack trace', async () => {
    const name = 'cli-traps';
    const file = p.write(`states/${name}.yaml`, 'resources:\n  - file: /tmp/keel-x\n    content: "{{ range }}"\n  - command: y\n    run: "true"\n    env: &e {A: *e}\n');
    const inventory = p.write(`${name}.yaml`, `hosts:\n  h:\n    connection: local\n    states: [${name}]\n`);
    const r = await keel(['validate', '-i', inventory]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: ${file}:6:17: alias '*e' is inside its own anchor '&e': the value would contain itself\n  hint: an alias can repeat a value defined before it, not the value it is part of\n`);
  });
});

describe('what the fuzz found (test/cli/fuzz-config.test.ts)', () => {
  it('YAML nested 5,000 levels deep is an error at file:line, not a stack overflow', () => {
    const { file, errors } = errorsOf('deep-yaml', `resources:\n  - command: x\n    run: "true"\n    env: ${'['.repeat(5000)}\n`);
    expect(errors.some((e) => /nested too deeply/.test(e.message))).toBe(true);
    for (const e of errors) expect(e.pos?.file).toBe(file);
  });

  it('a template nested thousands of levels deep is an error at its value', () => {
    const { file, errors } = errorsOf('deep-template', `resources:\n  - command: x\n    run: "{{ ${'('.repeat(5000)}1 }}"\n`);
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/nested too deeply/);
    expect(errors[0].pos).toMatchObject({ file, line: 3 });
  });

  it('a mapping printed inside a string is an error, not "[object Object]"', () => {
    const { file, errors } = errorsOf('mapping-text', 'resources:\n  - command: x\n    run: "echo {{ m }}"\n', 'vars: {m: {a: 1}}\n');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/this expression is a mapping \(or a list holding one\), not text/);
    expect(errors[0].pos).toMatchObject({ file, line: 3 });
  });

  it('a list holding a mapping printed inside a string is an error too', () => {
    const { errors } = errorsOf('list-text', 'resources:\n  - command: x\n    run: "echo {{ l }}"\n', 'vars: {l: [{}]}\n');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/a list holding one/);
  });

  it('"{{ s | safe }}" as a whole value is the string, not an object', () => {
    const { errors } = errorsOf('safe', 'resources:\n  - file: /tmp/keel-safe\n    content: "{{ s | safe }}"\n', 'vars: {s: x}\n');
    expect(errors.map((e) => e.format())).toEqual([]);
  });

  it('a key that is a mapping is an error at the key', () => {
    const { file, errors } = errorsOf('map-key', 'resources:\n  - command: x\n    run: "true"\n    env:\n      ? {a: 1}\n      : b\n');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/a key must be a plain value/);
    expect(errors[0].pos).toMatchObject({ file, line: 5 });
  });

  it('an undefined variable with a name 200,000 characters long is placed, not a RegExp error', () => {
    const { file, errors } = errorsOf('long-name', `resources:\n  - command: x\n    run: "echo {{ ${'v'.repeat(200_000)} }}"\n`);
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/undefined variable/);
    expect(errors[0].pos).toMatchObject({ file, line: 3 });
  });

  it('an inventory without hosts names the inventory file and line', () => {
    const inventory = p.write('no-hosts.yaml', 'vars: {a: 1}\n');
    const errors = loadErrors(inventory);
    expect(errors).toHaveLength(1);
    expect(errors[0].pos).toMatchObject({ file: inventory, line: 1 });
  });
});

describe('messages that say what to do (issue 11)', () => {
  it.each([
    ['- file: {{ root }}/a', 'resources:\n  - file: {{ root }}/a\n    content: "x"\n', 2, 11],
    ['key: {{ x }} more', 'resources:\n  - command: c\n    run: {{ cmd }} --now\n', 3, 10],
  ])('an unquoted template that YAML cannot parse (%s) says to quote it, once', (_what, state, line, column) => {
    const { file, errors } = errorsOf(`unquoted-${line}-${column}`, state, 'vars: {root: /tmp, cmd: "true"}\n');
    expect(errors.map((e) => e.format())).toEqual([`${file}:${line}:${column}: unquoted '{{' starts a YAML mapping, not a template\n  hint: quote the whole value: "{{ ... }}"`]);
  });

  it('content beside source: they exclude each other, at the key', () => {
    const { file, errors } = errorsOf('content-source', 'resources:\n  - file: /tmp/keel-cs\n    content: "x"\n    source: a.txt\n');
    expect(errors.map((e) => e.format())).toEqual([
      `${file}:4:5: 'source' cannot be given together with 'content' for file: they exclude each other\n  hint: keep one of 'source' and 'content'`,
    ]);
  });

  it('a template syntax error points at the template file and the tag left open', () => {
    p.write('states/templates/open.j2', 'line one\nhello {{ name \n');
    const { errors } = errorsOf('open-tag', 'resources:\n  - template: /tmp/keel-open\n    source: templates/open.j2\n');
    expect(errors).toHaveLength(1);
    expect(errors[0].pos).toEqual({ file: `${p.dir}/states/templates/open.j2`, line: 2, column: 7 });
    expect(errors[0].message).toMatch(/template syntax error: expected variable end/);
  });

  it('a missing source says so in words, with the nearest name in its folder', () => {
    p.write('states/files/motd.txt', 'hi\n');
    const { file, errors } = errorsOf('missing-src', 'resources:\n  - file: /tmp/keel-motd\n    source: files/mtod.txt\n');
    expect(errors.map((e) => e.format())).toEqual([
      `${file}:2:5: resource file:/tmp/keel-motd: source files/mtod.txt: cannot read ${p.dir}/states/files/mtod.txt: no such file; did you mean 'motd.txt'?\n  hint: paths of sources are relative to the state file that declares the resource`,
    ]);
  });

  it('a resource that requires itself is an error; a reference by kind:name to a resource with an id names the id', () => {
    const state = `resources:
  - command: a
    run: "true"
    require: [command:a]
  - file: /tmp/keel-conf
    id: conf
    content: "x"
  - command: b
    run: "true"
    require: [file:/tmp/keel-conf]
  - command: c
    run: "true"
    require: [command:cc]
`;
    const { file, errors } = errorsOf('self-ref', state);
    expect(errors.map((e) => e.format())).toEqual([
      `${file}:4:15: host h, resource command:a: require: 'command:a' is this resource itself\n  hint: remove it from require: a resource cannot depend on itself`,
      `${file}:10:15: host h, resource command:b: unknown reference 'file:/tmp/keel-conf' in require: no resource with this id on this host; file:/tmp/keel-conf has the id 'conf': refer to it by that id`,
      // the nearest other id, never the resource itself
      `${file}:13:15: host h, resource command:c: unknown reference 'command:cc' in require: no resource with this id on this host; did you mean 'command:a'?`,
    ]);
  });
});
