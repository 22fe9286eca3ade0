import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builtinModules } from '../../modules/index.js';
import type { Resource } from '../config/types.js';
import { buildGraph } from './build.js';
import { chainShared, sharedPaths } from './shared-paths.js';

let n = 0;
function res(kind: string, name: string, spec: Record<string, unknown> = {}, id = `${kind}:${name}`): Resource {
  const index = n++;
  return {
    id, kind, name, spec: { name, ...spec }, require: [], before: [], watch: [], notify: [], tags: [],
    pos: { file: 'states/x.yaml', line: index + 1, column: 5 }, stateDir: 'states', index,
  };
}
const claims = (r: Resource) => builtinModules.get(r.kind)?.paths?.(r.spec) ?? [];

describe('sharedPaths: one owner per path, from the modules\' own claims', () => {
  it('a systemd_unit and a file on its unit file are refused, both named with file:line', () => {
    n = 0;
    const { errors, shared } = sharedPaths([res('systemd_unit', 'app.service', { content: 'x' }), res('file', '/etc/systemd/system/app.service', { mode: '0600' })], claims);
    expect(shared.size).toBe(0);
    expect(errors).toHaveLength(1);
    expect(errors[0].format()).toContain('states/x.yaml:2:5: resource file:/etc/systemd/system/app.service: /etc/systemd/system/app.service is managed by systemd_unit:app.service (states/x.yaml:1) and file:/etc/systemd/system/app.service (states/x.yaml:2)');
  });

  it('two files without content (two owners of the mode) are refused; a file absent owns the path', () => {
    n = 0;
    expect(sharedPaths([res('file', '/f', { mode: '0600' }), res('file', '/f', { owner: 'app' }, 'f2')], claims).errors[0].message).toContain('more than one file resource');
    expect(sharedPaths([res('file', '/f', { state: 'absent' }), res('line', '/f', { text: 'x' })], claims).errors[0].message).toContain('writes the whole file');
    expect(sharedPaths([res('template', '/f', { content: 'x' }), res('line', '/f', { text: 'x' })], claims).errors).toHaveLength(1);
    expect(sharedPaths([res('directory', '/d'), res('line', '/d', { text: 'x' })], claims).errors[0].message).toContain('makes it a directory');
  });

  it('one file without content and any number of lines compose; other paths are not shared', () => {
    n = 0;
    const rs = [res('line', '/f', { text: 'a' }, 'a'), res('file', '/f', { mode: '0600' }), res('line', '/f', { text: 'b' }, 'b'), res('file', '/g', { content: 'x' })];
    const { errors, shared } = sharedPaths(rs, claims);
    expect(errors).toEqual([]);
    expect([...shared.keys()]).toEqual(['/f']);
    expect(shared.get('/f')!.map((r) => r.id)).toEqual(['a', 'file:/f', 'b']);
  });

  it('chaining follows a topological order, so it never adds a cycle (property)', () => {
    // random require edges to earlier-declared resources, all on one path, in random order
    fc.assert(
      fc.property(fc.array(fc.option(fc.nat(), { nil: undefined }), { minLength: 2, maxLength: 8 }), (picks) => {
        n = 0;
        const rs = picks.map((_, i) => res('line', '/f', { text: String(i) }, `l${i}`));
        picks.forEach((p, i) => {
          if (p !== undefined && i > 0) rs[p % i].require = [`l${i}`];
        });
        const first = buildGraph(rs);
        const previous = chainShared(first.order, sharedPaths(rs, claims).shared);
        const chained = buildGraph(rs, (r) => previous.get(r.id) ?? []);
        expect(chained.order.map((r) => r.id)).toEqual(first.order.map((r) => r.id));
        chained.order.slice(1).forEach((r, i) => expect(chained.deps.get(r.id)).toContain(chained.order[i].id));
      }),
      { numRuns: 200 },
    );
  });
});
