import { describe, expect, it } from 'vitest';
import { buildGraph } from './build.js';
import { planStates, toDot, toMermaid } from './render.js';
import { CycleError } from '../errors.js';
import type { Resource } from '../config/types.js';

let n = 0;
function res(id: string, rel: Partial<Pick<Resource, 'require' | 'before' | 'watch' | 'notify'>> = {}): Resource {
  const [kind, name] = id.split(':');
  const index = n++;
  return {
    id, kind, name, spec: { name }, require: [], before: [], watch: [], notify: [], tags: [],
    pos: { file: 'states/x.yaml', line: index + 1, column: 5 }, stateDir: 'states', index, ...rel,
  };
}

describe('buildGraph', () => {
  it('orders by relations, ties broken by declaration order', () => {
    n = 0;
    const rs = [
      res('service:nginx', { watch: ['file:/etc/nginx.conf'] }),
      res('file:/etc/nginx.conf', { require: ['pkg:nginx'] }),
      res('pkg:curl'),
      res('pkg:nginx'),
      res('command:hello', { before: ['pkg:curl'] }),
    ];
    const g = buildGraph(rs);
    expect(g.order.map((r) => r.id)).toEqual(['pkg:nginx', 'file:/etc/nginx.conf', 'service:nginx', 'command:hello', 'pkg:curl']);
    expect(g.watchers.get('file:/etc/nginx.conf')).toEqual(['service:nginx']);
    expect(g.deps.get('pkg:curl')).toEqual(['command:hello']);
  });

  it('turns notify into the inverse of watch and adds automatic edges only for declared ids', () => {
    n = 0;
    const rs = [res('file:/srv/app/a', { notify: ['service:app'] }), res('service:app'), res('directory:/srv/app')];
    const g = buildGraph(rs, (r) => (r.kind === 'file' ? ['directory:/srv/app', 'directory:/srv'] : []));
    expect(g.order.map((r) => r.id)).toEqual(['directory:/srv/app', 'file:/srv/app/a', 'service:app']);
    expect(g.watchers.get('file:/srv/app/a')).toEqual(['service:app']);
    expect(g.edges).toContainEqual(['directory:/srv/app', 'file:/srv/app/a', 'auto']);
  });

  it('names every resource of a cycle with file:line', () => {
    n = 0;
    const rs = [res('a:1', { require: ['c:3'] }), res('b:2', { require: ['a:1'] }), res('c:3', { require: ['b:2'] }), res('d:4')];
    let err: unknown;
    try {
      buildGraph(rs);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CycleError);
    const msg = (err as CycleError).message;
    for (const s of ['a:1 (states/x.yaml:1)', 'b:2 (states/x.yaml:2)', 'c:3 (states/x.yaml:3)']) expect(msg).toContain(s);
    expect(msg).not.toContain('d:4');
  });

  it('a cycle through an automatic edge labels each link and asks to remove only a written one', () => {
    n = 0;
    // the directory requires the file inside it; the file comes after its directory by itself
    const rs = [res('directory:/srv/app', { require: ['file:/srv/app/a'] }), res('file:/srv/app/a')];
    let err: CycleError | undefined;
    try {
      buildGraph(rs, (r) => (r.kind === 'file' ? ['directory:/srv/app'] : []));
    } catch (e) {
      err = e as CycleError;
    }
    expect(err?.message).toBe(
      'dependency cycle between 2 resources:\n    file:/srv/app/a (states/x.yaml:2)\n    -> (require/before) directory:/srv/app (states/x.yaml:1)\n    -> (automatic) file:/srv/app/a (states/x.yaml:2)',
    );
    expect(err?.hint).toMatch(/^remove one of the relations you wrote in this chain .*the automatic ones are keel's own/);
  });

  it('draws several hosts in one document, a cluster each, nodes named per host, coloured by a plan', () => {
    n = 0;
    const g = buildGraph([res('pkg:nginx'), res('service:nginx', { watch: ['pkg:nginx'] })]);
    const states = planStates({ hosts: [{ host: 'web2', resources: [{ id: 'pkg:nginx', action: 'create', status: 'planned' }, { id: 'service:nginx', action: 'none', status: 'ok' }] }] });
    const dot = toDot([{ host: 'web1', graph: g }, { host: 'web2', graph: g }], states);
    expect(dot.match(/^digraph /gm)).toHaveLength(1);
    expect(dot).toContain('  subgraph "cluster_1" {\n    label="web2";');
    expect(dot).toContain('    "web2/pkg:nginx" [label="pkg:nginx", fillcolor="#ffe8a3", tooltip="change"];');
    expect(dot).toContain('    "web2/service:nginx" [label="service:nginx", fillcolor="#d9f2d9", tooltip="in-sync"];');
    expect(dot).toContain('    "web1/pkg:nginx" [label="pkg:nginx"];');
    expect(dot).toContain('    "web1/pkg:nginx" -> "web1/service:nginx" [style=dashed, label="watch"];');
    const mermaid = toMermaid([{ host: 'web1', graph: g }, { host: 'web2', graph: g }], states);
    expect(mermaid.match(/^flowchart/gm)).toHaveLength(1);
    expect(mermaid).toContain('  subgraph h1 ["web2"]\n    h1r0["pkg:nginx"]');
    expect(mermaid).toContain('  class h1r0 change');
  });

  it('renders DOT and Mermaid', () => {
    n = 0;
    const g = buildGraph([res('pkg:nginx'), res('service:nginx', { watch: ['pkg:nginx'] })]);
    expect(toDot([{ host: 'web1', graph: g }])).toContain('"pkg:nginx" -> "service:nginx" [style=dashed, label="watch"];');
    expect(toMermaid([{ host: 'web1', graph: g }])).toContain('r0 -. watch .-> r1');
  });
});
