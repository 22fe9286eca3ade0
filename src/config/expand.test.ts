import { describe, expect, it } from 'vitest';
import { ConfigErrors } from '../errors.js';
import { testModuleSet } from '../../test/fixtures/config/modules.js';
import { compileHostStates, loadInventory } from './index.js';

const F = 'test/fixtures/config/cond';
const S = `${F}/states`;

const inv = () => loadInventory(`${F}/inventory.yaml`);

/** `file:line:col: message` of every error of one host (hints dropped). */
function hostErrors(host: string): string[] {
  try {
    compileHostStates(inv(), host, testModuleSet);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigErrors);
    return (e as ConfigErrors).errors.map((x) => `${x.pos?.file}:${x.pos?.line}:${x.pos?.column}: ${x.message}`);
  }
  throw new Error(`host ${host} compiled without errors`);
}

describe('loop', () => {
  const web1 = () => compileHostStates(inv(), 'web1', testModuleSet);

  it('gives one resource per item, the item in the name and every parameter', () => {
    const files = web1().resources.filter((r) => r.id.startsWith('file:/tmp/'));
    expect(files.map((r) => [r.id, r.spec.content])).toEqual([
      ['file:/tmp/a.txt', 'file a'],
      ['file:/tmp/b.txt', 'file b'],
      ['file:/tmp/c.txt', 'file c'],
    ]);
    expect(files.map((r) => r.pos.line)).toEqual([2, 2, 2]);
  });

  it('loops over a template giving mappings, under loop_var, with ids from the item', () => {
    const sites = web1().resources.filter((r) => r.id.startsWith('site-'));
    expect(sites.map((r) => [r.id, r.name, r.spec.content])).toEqual([
      ['site-shop', '/etc/sites/shop.conf', 'port 8001'],
      ['site-blog', '/etc/sites/blog.conf', 'port 8002'],
    ]);
    expect(sites[0].spec).not.toHaveProperty('loop_var');
  });

  it('evaluates when per item: a false item is skipped, the others are declared', () => {
    const { resources, skipped } = web1();
    expect(resources.filter((r) => r.kind === 'pkg').map((r) => r.id)).toEqual(['pkg:alice', 'pkg:carol']);
    expect(skipped.find((s) => s.id === 'pkg:bob')).toMatchObject({ condition: "item != 'bob'", pos: { file: `${S}/loops.yaml`, line: 10 } });
  });

  it('with a list of names, gives every name for every item (the product)', () => {
    const dirs = web1().resources.filter((r) => r.kind === 'directory').map((r) => r.id);
    expect(dirs).toEqual(['directory:/srv/x/a', 'directory:/srv/x/b', 'directory:/srv/y/a', 'directory:/srv/y/b']);
  });

  it('keeps declaration order as the index, over loop items too', () => {
    expect(web1().resources.map((r) => r.index)).toEqual([...web1().resources.keys()]);
  });
});

describe('when', () => {
  it('declares a resource whose condition holds, skips one whose condition is false', () => {
    const web1 = compileHostStates(inv(), 'web1', testModuleSet);
    const dev1 = compileHostStates(inv(), 'dev1', testModuleSet);
    expect(web1.resources.map((r) => r.id)).toContain('file:/etc/prod-only');
    expect(dev1.resources.map((r) => r.id)).toEqual(['file:/etc/debug.conf', 'service:app']);
    expect(dev1.skipped.map((s) => [s.id, s.condition])).toEqual([
      ['file:/etc/prod-only', "env_name == 'prod'"],
      ['pkg:never', 'false'],
    ]);
  });

  it('does not render what a skipped resource declares: its name may use what the condition tests', () => {
    const skipped = compileHostStates(inv(), 'web1', testModuleSet).skipped.find((s) => s.condition === '{{ dev_file is defined }}')!;
    expect(skipped).toMatchObject({ id: 'file:/etc/{{ dev_file }}', kind: 'file', tags: ['debug'] });
  });

  it('drops a relation to a skipped resource instead of calling it unknown', () => {
    const svc = (host: string) => compileHostStates(inv(), host, testModuleSet).resources.find((r) => r.id === 'service:app')!;
    expect(svc('web1').require).toEqual(['file:/etc/prod-only']);
    expect(svc('dev1').require).toEqual([]);
    const web = compileHostStates(inv(), 'web1', testModuleSet).resources.find((r) => r.id === 'service:web')!;
    expect(web.require).toEqual(['site-shop']); // pkg:bob is skipped by its loop item's condition
  });
});

describe('bad when and loop', () => {
  it.each([
    ['when-not-bool', `${S}/when-not-bool.yaml:3:12: when: the condition must be true or false, it gave "prod" (string)`],
    ['when-undefined', `${S}/when-undefined.yaml:3:12: undefined variable 'envname'; did you mean 'env_name'?`],
    ['when-syntax', `${S}/when-syntax.yaml:3:12: when: cannot read the condition "env_name ==": it is not one complete expression`],
    ['when-type', `${S}/when-type.yaml:3:11: when: expected a condition (an expression such as "env == 'prod'", or true/false), found [...] (list)`],
    ['loop-not-list', `${S}/loop-not-list.yaml:3:11: loop: expected a list, "{{ env_name }}" gave "prod" (string)`],
    ['loop-mapping', `${S}/loop-mapping.yaml:3:11: loop: expected a list (or a "{{ }}" template giving one), found {...} (mapping)`],
    ['loop-dup', `${S}/loop-dup.yaml:5:9: loop items 0 ("a", line 4) and 1 ("b") give the same id 'file:/tmp/same'`],
    ['loop-dup-template', `${S}/loop-dup-template.yaml:3:11: loop items 0 ("alice") and 2 ("carol") give the same id 'file:/tmp/5'`],
    ['loop-var-shadow', `${S}/loop-var-shadow.yaml:4:15: the loop variable 'env_name' would hide the variable 'env_name' of this host`],
    ['loop-var-bad', `${S}/loop-var-bad.yaml:4:15: loop_var: expected a variable name (letters, digits and _, not starting with a digit), found "1x" (string)`],
    ['loop-var-no-loop', `${S}/loop-var-no-loop.yaml:3:5: loop_var without loop: it names the variable of each loop item`],
    ['item-undefined', `${S}/item-undefined.yaml:4:18: undefined variable 'item.prot'; did you mean 'port'?`],
    ['misspelt-when', `${S}/misspelt-when.yaml:3:5: unknown key 'wehn' for file: did you mean 'when'?`],
  ])('%s: one error at its position', (host, expected) => {
    expect(hostErrors(host)).toEqual([expected]);
  });

  it('checks a skipped resource as far as it can: its keys and the values written without a template', () => {
    expect(hostErrors('skipped-typo')).toEqual([
      `${S}/skipped-typo.yaml:4:5: unknown key 'modee' for file: did you mean 'mode'?`,
      `${S}/skipped-typo.yaml:7:11: resources[1].mode: expected string matching ^0?[0-7]{3,4}$, found 644 (number)`,
      `${S}/skipped-typo.yaml:9:14: resources[1].require: expected string or list of string, found [...] (list)`,
    ]); // owner: "{{ not_defined_here }}" is not rendered: it may need what the condition tests
  });

  it("says which keys a loop item has when a parameter uses one it lacks", () => {
    try {
      compileHostStates(inv(), 'item-undefined', testModuleSet);
    } catch (e) {
      expect((e as ConfigErrors).errors[0].hint).toBe("'item' has the keys name, port");
    }
    expect.assertions(1);
  });

  it('gives the mapping hint for a loop over a mapping', () => {
    try {
      compileHostStates(inv(), 'loop-mapping', testModuleSet);
    } catch (e) {
      expect((e as ConfigErrors).errors[0].hint).toMatch(/dictsort/);
    }
    expect.assertions(1);
  });
});
