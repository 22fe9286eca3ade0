/**
 * planHost is pure: a host's plan from fixtures (probe outputs written here), no host. Covers
 * uncertain dependencies, may-change in the plan report, refresh triggers and plan errors kept
 * as KeelErrors with their cause.
 */
import { describe, expect, it } from 'vitest';
import type { Resource } from '../config/types.js';
import { KeelError } from '../errors.js';
import type { Facts } from '../facts/types.js';
import { buildGraph } from '../graph/build.js';
import type { ProbeOutput, ResourceModule } from '../module.js';
import { moduleSet } from '../module-set.js';
import type { HostJob } from './compile.js';
import { planHost } from './plan-host.js';
import { planReports } from './plan-report.js';

/** A value on the host: the probe prints it; `broken` makes parse throw a plain Error. */
const value: ResourceModule<{ name: string; want: string }, string> = {
  kind: 'value',
  doc: 'test only',
  schema: { type: 'object', properties: {} },
  probe: (spec) => `cat ${spec.name}`,
  parse: (_spec, out) => {
    if (out.text === 'broken') throw new Error('cannot read the value: no such tool');
    if (out.text === 'missing') throw new KeelError('E_PLAN', 'the file does not exist', { hint: 'set create: true to create it' });
    return out.text;
  },
  plan: (spec, cur) => (cur === spec.want ? { action: 'none', changes: [] } : { action: 'update', changes: [{ field: 'value', from: cur, to: spec.want }] }),
  apply: async () => {},
};
/** Always in sync; restarts when a watched resource changes. */
const daemon: ResourceModule<{ name: string }, null> = {
  kind: 'daemon',
  doc: 'test only',
  schema: { type: 'object', properties: {} },
  probe: () => ':',
  parse: () => null,
  plan: () => ({ action: 'none', changes: [] }),
  apply: async () => {},
  refresh: async () => {},
  refreshAction: () => 'restart',
};
/** In sync whatever its dependencies do (a command whose onchanges are all in sync). */
const settled: ResourceModule<{ name: string }, null> = {
  kind: 'settled',
  doc: 'test only',
  schema: { type: 'object', properties: {} },
  probe: () => ':',
  parse: () => null,
  plan: () => ({ action: 'none', changes: [], settled: true }),
  apply: async () => {},
};
/** A unit that does not exist yet: a start planned that what is applied first may do. */
const unit: ResourceModule<{ name: string }, null> = {
  kind: 'unit',
  doc: 'test only',
  schema: { type: 'object', properties: {} },
  probe: () => ':',
  parse: () => null,
  plan: (spec) => ({ action: 'update', changes: [{ field: 'running', from: false, to: true }], provisional: `${spec.name} does not exist yet` }),
  apply: async () => {},
};
const modules = moduleSet([value, daemon, settled, unit]);
const facts = { osId: 'debian' } as Facts;

let index = 0;
function res(kind: string, name: string, spec: Record<string, unknown>, rel: Partial<Pick<Resource, 'require' | 'watch' | 'tags'>> = {}): Resource {
  const i = index++;
  return {
    id: `${kind}:${name}`, kind, name, spec: { name, ...spec }, require: rel.require ?? [], before: [], watch: rel.watch ?? [], notify: [],
    tags: rel.tags ?? [], pos: { file: 'states/x.yaml', line: i + 1, column: 3 }, stateDir: 'states', index: i,
  };
}
function job(resources: Resource[], selected = resources.map((r) => r.id)): HostJob {
  const host = { name: 'h1', connection: { host: 'h1', connection: 'local', address: 'localhost', port: 22, user: 'root', become: false }, vars: {}, states: [], groups: [], after: [], secrets: [] };
  return { host: host as unknown as HostJob['host'], modules, resources, graph: buildGraph(resources), selected: new Set(selected) };
}
const out = (text: string): ProbeOutput => ({ code: 0, stdout: Buffer.from(text), stderr: Buffer.alloc(0), text });

describe('planHost (pure, from fixtures)', () => {
  it('plans each resource from its own output; a resource whose dependency will change is uncertain, shown as may-change', () => {
    const a = res('value', 'a', { want: 'new' });
    const b = res('value', 'b', { want: 'same' }, { require: ['value:a'] });
    const c = res('value', 'c', { want: 'same' });
    const plan = planHost(job([a, b, c]), facts, [out('old'), out('same'), out('same')]);
    expect(plan.entries.map((e) => [e.resource.id, e.plan?.action, e.uncertain])).toEqual([
      ['value:a', 'update', false],
      ['value:b', 'none', true],
      ['value:c', 'none', false],
    ]);
    expect(planReports(plan).map((r) => [r.id, r.action, r.status])).toEqual([
      ['value:a', 'update', 'planned'],
      ['value:b', 'may-change', 'planned'],
      ['value:c', 'none', 'ok'],
    ]);
  });

  it('uncertainty passes down a chain: the dependent of an uncertain resource is uncertain too', () => {
    const a = res('value', 'a', { want: 'new' });
    const b = res('value', 'b', { want: 'same' }, { require: ['value:a'] });
    const c = res('value', 'c', { want: 'same' }, { require: ['value:b'] });
    const plan = planHost(job([a, b, c]), facts, [out('old'), out('same'), out('same')]);
    expect(plan.entries.map((e) => e.uncertain)).toEqual([false, true, true]);
  });

  it('a plan error is a KeelError whose cause is the module\'s error; with a dependency to change first it is may-change with a note', () => {
    const a = res('value', 'a', { want: 'new' });
    const b = res('value', 'b', { want: 'x' }, { require: ['value:a'] });
    const lone = res('value', 'lone', { want: 'x' });
    const plan = planHost(job([a, b, lone]), facts, [out('old'), out('broken'), out('broken')]);
    const [, eb, el] = plan.entries;
    expect(eb.error).toBeInstanceOf(KeelError);
    expect(eb.error!.cause).toBeInstanceOf(Error);
    expect((eb.error!.cause as Error).message).toBe('cannot read the value: no such tool');
    expect(el.error!.message).toBe('cannot read the value: no such tool');
    const [, rb, rl] = planReports(plan);
    expect(rb).toMatchObject({ action: 'may-change', status: 'planned', note: 'cannot be planned until value:a is applied: cannot read the value: no such tool' });
    expect(rb.error).toBeUndefined();
    expect(rl).toMatchObject({ action: 'none', status: 'failed', error: 'cannot read the value: no such tool' });
  });

  it('a resource whose plan is settled is not "may change" though a dependency changes first', () => {
    const a = res('value', 'a', { want: 'new' });
    const s = res('settled', 'migrate', {}, { require: ['value:a'] });
    const v = res('value', 'b', { want: 'same' }, { require: ['value:a'] });
    const plan = planHost(job([a, s, v]), facts, [out('old'), out(''), out('same')]);
    expect(plan.entries.map((e) => e.uncertain)).toEqual([false, false, true]);
    expect(planReports(plan).map((r) => r.action)).toEqual(['update', 'none', 'may-change']);
  });

  it('a provisional change is "may change" when a dependency changes first, a change when none does', () => {
    // a package (here a `pkg` resource of the fake value module) planned to change, through a file
    const pkg = { ...res('value', 'pkg', { want: 'installed' }), kind: 'pkg', id: 'pkg:nginx' };
    const conf = res('value', 'conf', { want: 'new' }, { require: ['pkg:nginx'] });
    const after = res('unit', 'pg', {}, { require: ['value:conf'] });
    const alone = res('unit', 'lone', {});
    const withPkg = moduleSet([value, daemon, settled, unit, { ...value, kind: 'pkg' }]);
    const [, , ra, rl] = planReports(planHost({ ...job([pkg, conf, after, alone]), modules: withPkg }, facts, [out('absent'), out('old'), out(''), out('')]));
    expect(ra).toMatchObject({ action: 'may-change', status: 'planned', note: 'pg does not exist yet: planned again once value:conf is applied' });
    expect(ra.changes).toEqual([{ field: 'running', from: false, to: true }]);
    expect(rl).toMatchObject({ action: 'update', status: 'planned' });
    // nothing that could bring it changes (only a file): the change is certain (and will fail if nothing does)
    const [, rf] = planReports(planHost(job([conf, after]), facts, [out('old'), out('')]));
    expect(rf.action).toBe('update');
    // the package in sync: certain too
    const [, , rs] = planReports(planHost({ ...job([pkg, conf, after]), modules: withPkg }, facts, [out('installed'), out('new'), out('')]));
    expect(rs.action).toBe('update');
  });

  it("a module asking whether an id changes is answered for its bundle instance's own resource first", () => {
    // plans an update only when the module is told value:a (its unit file, say) changes
    const asks: ResourceModule<{ name: string }, null> = {
      ...unit,
      kind: 'asks',
      plan: (_spec, _cur, _facts, ctx) => (ctx.changed('value:a') ? { action: 'update', changes: [{ field: 'seen', from: false, to: true }] } : { action: 'none', changes: [] }),
    };
    const a = { ...res('value', 'a', { want: 'new' }), id: 'app[shop]/value:a', instance: 'app[shop]' };
    const q = { ...res('asks', 'q', {}, { require: ['app[shop]/value:a'] }), id: 'app[shop]/asks:q', instance: 'app[shop]' };
    const plan = planHost({ ...job([a, q]), modules: moduleSet([value, asks]) }, facts, [out('old'), out('')]);
    expect(plan.entries[1].plan?.action).toBe('update');
  });

  it("waiting on a dependency, an error's hint (for a file nothing creates) is left out; alone it is shown", () => {
    const a = res('value', 'a', { want: 'new' });
    const b = res('value', 'b', { want: 'x' }, { require: ['value:a'] });
    const lone = res('value', 'lone', { want: 'x' });
    const [, rb, rl] = planReports(planHost(job([a, b, lone]), facts, [out('old'), out('missing'), out('missing')]));
    expect(rb.note).toBe('cannot be planned until value:a is applied: the file does not exist');
    expect(rl.error).toBe('the file does not exist\n  hint: set create: true to create it');
  });

  it('a watcher gets the refresh its trigger\'s planned change runs: in sync, yet a planned change, not may-change', () => {
    const a = res('value', 'conf', { want: 'new' });
    const d = res('daemon', 'app', {}, { watch: ['value:conf'] });
    const idle = res('daemon', 'idle', {}, { watch: ['value:other'] });
    const other = res('value', 'other', { want: 'same' });
    // graph order: conf, app (after conf), other, idle (after other)
    const plan = planHost(job([a, other, d, idle]), facts, [out('old'), out(''), out('same'), out('')]);
    expect(plan.entries.map((e) => e.resource.id)).toEqual(['value:conf', 'daemon:app', 'value:other', 'daemon:idle']);
    expect(plan.byId.get('daemon:app')!.refresh).toEqual({ action: 'restart', because: ['value:conf'] });
    expect(plan.byId.get('daemon:idle')!.refresh).toBeUndefined();
    const reports = new Map(planReports(plan).map((r) => [r.id, r]));
    expect(reports.get('daemon:app')).toMatchObject({ action: 'none', status: 'planned', refresh: { action: 'restart', because: ['value:conf'] } });
    expect(reports.get('daemon:idle')).toMatchObject({ action: 'none', status: 'ok' });
  });

  it('only the selected resources are planned (--tags), each with the output at its position', () => {
    const a = res('value', 'a', { want: '1' }, { tags: ['x'] });
    const b = res('value', 'b', { want: '2' });
    const plan = planHost(job([a, b], ['value:b']), facts, [out('1')]);
    expect(plan.entries.map((e) => [e.resource.id, e.plan?.action])).toEqual([['value:b', 'update']]);
    expect(() => planHost(job([a, b]), facts, [out('1')])).toThrow(/1 probe outputs for 2 resources/);
  });
});
