/**
 * Bundles from fixtures (test/fixtures/bundles): instance ids, params over host vars with
 * defaults, references resolved inside the instance first, sources from the bundle's folder,
 * bundle_path, a bundle's `states:` list, `when:` on entries; and every mistake as one message at its place.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtinModules } from '../../modules/index.js';
import { ConfigErrors, type KeelError } from '../errors.js';
import { compileJobs } from '../engine/compile.js';
import { compileHost, loadInventory } from './index.js';

const G = 'test/fixtures/bundles/good';
const B = 'test/fixtures/bundles/broken';

function errorsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigErrors);
    return (e as ConfigErrors).errors.map((x: KeelError) => x.format().replace(/\n {2}hint: .*/g, ''));
  }
  throw new Error('no error');
}

describe('bundle instances', () => {
  const inv = loadInventory(`${G}/inventory.yaml`);
  const resources = compileHost(inv, 'web1', builtinModules);
  const byId = new Map(resources.map((r) => [r.id, r]));

  it('gives each instance its own resources, ids prefixed with bundle[instance]/, in declaration order', () => {
    expect(resources.map((r) => r.id)).toEqual([
      'pkg:nginx',
      'directory:/etc/nginx/sites-enabled',
      'service:nginx',
      'command:reload-shop',
      'site[shop]/directory:/srv/www/shop.example.com',
      'site[shop]/file:/srv/www/shop.example.com/index.html',
      'site[shop]/site-conf',
      'site[shop]/command:check',
      'site[blog]/directory:/srv/www/blog.example.org',
      'site[blog]/file:/srv/www/blog.example.org/index.html',
      'site[blog]/site-conf',
      'site[blog]/command:check',
      // from bundle_path; the instance whose `when` is false adds nothing
      'motd[main]/file:/etc/motd',
    ]);
  });

  it('renders with the params (defaults filled in, with: rendered with host vars) over the host vars', () => {
    expect(byId.get('site[shop]/site-conf')!.vars).toMatchObject({ server_name: 'shop.example.com', port: 8001, web_root: '/srv/www' });
    expect(byId.get('site[blog]/site-conf')!.vars).toMatchObject({ server_name: 'blog.example.org', port: 8000 });
    expect(byId.get('site[blog]/site-conf')!.instance).toBe('site[blog]');
  });

  it('resolves references to the instance first, then to the host; a top-level state names an instance resource by its full id', () => {
    const conf = byId.get('site[shop]/site-conf')!;
    expect(conf.require).toEqual(['directory:/etc/nginx/sites-enabled']);
    expect(conf.notify).toEqual(['service:nginx']);
    expect(byId.get('site[blog]/command:check')!.spec.onchanges).toEqual(['site[blog]/site-conf']);
    expect(byId.get('command:reload-shop')!.spec.onchanges).toEqual(['site[shop]/site-conf']);
  });

  it("reads sources from the bundle's folder and renders templates with the instance's params", () => {
    const [job] = compileJobs(inv, ['web1'], builtinModules);
    const spec = (id: string) => job.resources.find((r) => r.id === id)!.spec as { content?: string };
    expect(spec('site[shop]/site-conf').content).toContain('proxy_pass http://127.0.0.1:8001;');
    expect(spec('site[blog]/site-conf').content).toContain('server_name blog.example.org;');
    expect(spec('site[blog]/file:/srv/www/blog.example.org/index.html').content).toBe('<h1>hello</h1>\n');
    expect(job.graph.watchers.get('site[blog]/site-conf')).toEqual(['service:nginx']);
    // automatic edges mean the instance's own resources first (a file's parent directory)
    expect(job.graph.deps.get('site[blog]/file:/srv/www/blog.example.org/index.html')).toContain('site[blog]/directory:/srv/www/blog.example.org');
    expect(job.graph.deps.get('site[shop]/command:check')).toEqual(['site[shop]/site-conf']);
  });
});

describe("a bundle's states list, and entries whose when is true", () => {
  const ids = compileHost(loadInventory(`${G}/inventory.yaml`), 'web2', builtinModules).map((r) => r.id);

  it('applies the states bundle.yaml lists, in its order (b before a), and not the others (c)', () => {
    const top = ids.filter((id) => id.startsWith('ordered[top]/'));
    expect(top).toEqual(['ordered[top]/file:/tmp/keel-bundle-test/ordered-b', 'ordered[top]/file:/tmp/keel-bundle-test/ordered-a']);
    expect(ids.some((id) => id.endsWith('ordered-c'))).toBe(false);
  });

  it('includes a state and a bundle instance whose when is true, from a state file and from the inventory', () => {
    expect(ids).toEqual([
      'pkg:curl', // include: {state: tools, when: true}
      'ordered[inc]/file:/tmp/keel-bundle-test/ordered-b', // include: {bundle: ordered, when: true}
      'ordered[inc]/file:/tmp/keel-bundle-test/ordered-a',
      'ordered[top]/file:/tmp/keel-bundle-test/ordered-b', // inventory states: {bundle: ordered, when: true}
      'ordered[top]/file:/tmp/keel-bundle-test/ordered-a',
    ]);
  });
});

describe('bundle mistakes', () => {
  const inv = loadInventory(`${B}/inventory.yaml`);
  const host = (h: string) => errorsOf(() => compileJobs(inv, [h], builtinModules));
  const I = `${B}/inventory.yaml`;

  it('an unknown bundle, with a did-you-mean', () => {
    expect(host('unknown-bundle')).toEqual([
      `${I}:6:14: bundle 'sitte' not found: expected ${B}/bundles/sitte/bundle.yaml; did you mean 'site'?`,
    ]);
  });

  it('a missing param at the entry, a misspelt one at its key (once: not also as missing), a wrong value at the value', () => {
    expect(host('missing-param')).toEqual([`${I}:8:14: missing required key 'server_name' for bundle site[a] (params: server_name, port)`]);
    expect(host('misspelt-param')).toEqual([
      `${I}:13:16: unknown key 'sever_name' for bundle site[a] (params: server_name, port): did you mean 'server_name'?`,
    ]);
    expect(host('wrong-type')).toEqual([`${I}:18:46: with.port: expected integer, found "high" (string)`]);
    expect(host('from-state')).toEqual([`${B}/states/includes.yaml:5:42: with.port: expected a value that is >= 1, found 0 (number)`]);
  });

  it('the same instance twice, naming both places', () => {
    expect(host('twice')).toEqual([`${I}:22:9: bundle instance site[a] declared twice: first at ${I}:21:9`]);
  });

  it("an error inside a bundle names the bundle's file and line and the instance that reached it", () => {
    const via = `(in bundle instance inner[one], declared at ${I}:24:14)`;
    expect(host('inside')).toEqual([
      `${B}/bundles/inner/states/main.yaml:3:18: host inside: undefined variable 'server_nam' ${via}`,
      `${B}/bundles/inner/states/main.yaml:5:15: host inside, resource inner[one]/file:/tmp/keel-bundle-test/inner2: unknown reference 'file:/tmp/keel-bundle-test/iner' in require: no resource with this id in bundle instance inner[one] or on this host ${via}`, // never itself (inner2) as the suggestion
    ]);
  });

  it('an include cycle through a bundle is refused', () => {
    const main = `${B}/bundles/loop/states/main.yaml`;
    expect(host('cycle')).toEqual([
      `${main}:2:5: include cycle: ${main} -> ${main} (in bundle instance loop[inner], declared at ${main}:2:5)`,
    ]);
  });

  it('bundle.yaml itself: unknown keys with a did-you-mean, params that are no JSON Schema, unknown states', () => {
    expect(host('bad-yaml')).toEqual([`${B}/bundles/badyaml/bundle.yaml:2:1: unknown key 'paramz' for bundle badyaml: did you mean 'params'?`]);
    const [schema, state] = host('bad-schema');
    expect(schema).toMatch(new RegExp(`^${B}/bundles/badschema/bundle.yaml:3:9: param 'port': not a valid JSON Schema: type must be equal to one of the allowed values`));
    expect(state).toBe(`${B}/bundles/badschema/bundle.yaml:4:16: state 'mian' not found: expected ${B}/bundles/badschema/states/mian.yaml; did you mean 'main'?`);
  });

  it('a when that is not a boolean, at the condition', () => {
    expect(host('bad-when')).toEqual([`${I}:32:77: when: the condition must be true or false, it gave "bad-when" (string)`]);
  });

  it('a with: value that is no data, and a bundle.yaml whose alias has no anchor (found by the fuzz test)', () => {
    expect(host('function')).toEqual([
      `${I}:38:58: with.server_name: this expression is a function, not a value: call it (range(3), cycler("a", "b").next())`,
    ]);
    expect(host('bad-alias')).toEqual([
      `${B}/bundles/alias/bundle.yaml:1:1: invalid YAML: Unresolved alias (the anchor must be set before the alias): nope`,
    ]);
  });

  it("a source outside the bundle's folder", () => {
    expect(host('escape')).toEqual([
      `${B}/bundles/escape/states/main.yaml:2:5: resource escape[a]/file:/tmp/keel-bundle-test/escape: source ../site/bundle.yaml is outside the bundle's folder ${B}/bundles/escape`,
    ]);
  });

  it('malformed entries of an inventory states list, each at its key or entry', () => {
    const E = `${B}/entries.yaml`;
    expect(errorsOf(() => loadInventory(E))).toEqual([
      `${E}:6:9: states: bundle 'site' needs 'name' (the instance's name)`,
      `${E}:7:10: unknown key 'bundel' in states entry: did you mean 'bundle'?`,
      `${E}:8:30: states: instance name 'a/b' must be letters, digits, '_', '.' or '-' (it becomes part of resource ids)`,
      `${E}:9:9: states: an entry is a state or a bundle, not both`,
      `${E}:10:9: state 'nowher' not found: expected ${B}/states/nowher.yaml; did you mean 'nowhere'?`,
      `${E}:11:9: states: expected a state name (string) or a mapping {state, when} / {bundle, name, with, when}, found 42 (number)`,
      `${E}:12:39: states: 'with' expects a mapping of the bundle's params, found [...] (list)`,
    ]);
  });
});

describe('docs/states.md', () => {
  it('shows the bundle files and the instances of the fixture this file compiles', () => {
    const docs = readFileSync('docs/states.md', 'utf8');
    for (const rel of ['bundles/site/bundle.yaml', 'bundles/site/states/20-site.yaml']) expect(docs).toContain(readFileSync(`${G}/${rel}`, 'utf8'));
    const inventory = readFileSync(`${G}/inventory.yaml`, 'utf8');
    const shown = /```yaml\n(states:\n[\s\S]*?)```/.exec(docs)![1];
    expect(inventory).toContain(shown.replace(/^/gm, '    ').replace(/ +$/, ''));
  });
});
