/** When converge probes a resource again, and what one round trip can probe with it: pure, from fixtures. */
import { describe, expect, it } from 'vitest';
import type { Resource } from '../config/types.js';
import { KeelError } from '../errors.js';
import { buildGraph } from '../graph/build.js';
import type { Plan, ResourceModule } from '../module.js';
import { moduleSet } from '../module-set.js';
import type { HostJob } from './compile.js';
import { needsProbe, probeWindow, type Fresh } from './freshness.js';
import type { PlanEntry } from './plan-host.js';

const base = { doc: 'test only', schema: { type: 'object' as const, properties: {} }, probe: () => ':', parse: () => null, plan: () => ({ action: 'none' as const, changes: [] }), apply: async () => {} };
/** Claims its path: changes nothing else on the host. */
const pathMod: ResourceModule = { ...base, kind: 'path', paths: (spec) => [{ path: spec.name, use: 'whole' }] };
/** May touch anything (a command). */
const wideMod: ResourceModule = { ...base, kind: 'wide' };
const update: Plan = { action: 'update', changes: [{ field: 'x', from: 1, to: 2 }] };
const none: Plan = { action: 'none', changes: [] };

let n = 0;
function entry(kind: 'path' | 'wide', name: string, plan: Plan, opts: { require?: string[]; uncertain?: boolean; refresh?: boolean } = {}): PlanEntry {
  const i = n++;
  const resource: Resource = {
    id: `${kind}:${name}`, kind, name, spec: { name }, require: opts.require ?? [], before: [], watch: [], notify: [], tags: [],
    pos: { file: 's.yaml', line: i + 1, column: 3 }, stateDir: '.', index: i,
  };
  const refresh = opts.refresh ? { action: 'restart', because: ['wide:trigger'] } : undefined;
  return { resource, mod: kind === 'path' ? pathMod : wideMod, plan, uncertain: opts.uncertain ?? false, refresh };
}
const probed = (plan: Plan | KeelError, at = { any: 0, wide: 0 }, again = false): Fresh => ({ plan, at, again });
function jobOf(entries: PlanEntry[]): HostJob {
  const resources = entries.map((e) => e.resource);
  return { host: {} as HostJob['host'], modules: moduleSet([pathMod, wideMod]), resources, graph: buildGraph(resources), selected: new Set(resources.map((r) => r.id)) };
}

describe('needsProbe', () => {
  it('a path resource goes stale only when something wide ran since its probe; any other when anything ran', () => {
    const file = entry('path', '/a', update);
    const cmd = entry('wide', 'c', update);
    expect(needsProbe(file, probed(update), { any: 3, wide: 0 })).toBe(false);
    expect(needsProbe(file, probed(update), { any: 3, wide: 1 })).toBe(true);
    expect(needsProbe(cmd, probed(update), { any: 1, wide: 0 })).toBe(true);
    expect(needsProbe(cmd, probed(update, { any: 1, wide: 0 }), { any: 1, wide: 0 })).toBe(false);
  });

  it('in sync or unplannable: not probed for staleness; uncertain: probed once, even if its plan failed', () => {
    expect(needsProbe(entry('wide', 'ok', none), probed(none), { any: 5, wide: 5 })).toBe(false);
    expect(needsProbe(entry('wide', 'bad', update), probed(new KeelError('E_PLAN', 'no')), { any: 5, wide: 5 })).toBe(false);
    const u = entry('path', '/u', none, { uncertain: true });
    expect(needsProbe(u, probed(new KeelError('E_PLAN', 'no')), { any: 0, wide: 0 })).toBe(true);
    expect(needsProbe(u, probed(none, { any: 2, wide: 0 }, true), { any: 2, wide: 0 })).toBe(false);
  });
});

describe('probeWindow', () => {
  it('takes the later path resources that need it and whose dependencies are done, up to the next wide change', () => {
    const dir = entry('path', '/d', update);
    const files = [0, 1, 2].map((i) => entry('path', `/d/f${i}`, update, { require: ['path:/d'], uncertain: true }));
    const inner = entry('path', '/d/f0/x', update, { require: ['path:/d/f0'], uncertain: true });
    const cmd = entry('wide', 'run', update);
    const after = entry('path', '/late', update, { uncertain: true });
    const all = [dir, ...files, inner, cmd, after];
    const fresh = new Map(all.map((e) => [e.resource.id, probed(e.plan!)]));
    const doneIds = new Set(['path:/d']);
    const ran = { any: 1, wide: 0 };
    const window = probeWindow(jobOf(all), files[0], all.slice(2), (id) => doneIds.has(id), (id) => fresh.get(id)!, ran, () => true);
    // f0 first; f1, f2 (their directory is done); not /d/f0/x (its dependency f0 is still to come); nothing after the command
    expect(window).toEqual(['path:/d/f0', 'path:/d/f1', 'path:/d/f2']);
  });

  it('passes over wide resources that will not change', () => {
    const a = entry('path', '/a', update, { uncertain: true });
    const quiet = entry('wide', 'quiet', none);
    const b = entry('path', '/b', update, { uncertain: true });
    const all = [a, quiet, b];
    const fresh = new Map(all.map((e) => [e.resource.id, probed(e.plan!)]));
    const window = probeWindow(jobOf(all), a, all.slice(1), () => false, (id) => fresh.get(id)!, { any: 0, wide: 0 }, (id) => id !== 'wide:quiet');
    expect(window).toEqual(['path:/a', 'path:/b']);
  });

  it('a command about to run probes itself alone: what comes after it is probed at its own turn, after the command', () => {
    // the scenario of a command that creates the file a later line edits: probed in the
    // command's round trip, the line would plan an error (file missing) and keep it
    const dir = entry('path', '/opt/app', update);
    const cmd = entry('wide', 'unpack', update, { require: ['path:/opt/app'], uncertain: true });
    const line = entry('path', '/opt/app/app.ini', update, { require: ['path:/opt/app'], uncertain: true });
    const all = [dir, cmd, line];
    const fresh = new Map(all.map((e) => [e.resource.id, probed(e.plan!)]));
    const window = probeWindow(jobOf(all), cmd, [line], (id) => id === 'path:/opt/app', (id) => fresh.get(id)!, { any: 1, wide: 0 }, () => true);
    expect(window).toEqual(['wide:unpack']);
  });

  it('a path resource with a refresh to run probes itself alone (the refresh may touch anything)', () => {
    const unit = entry('path', '/u', update, { uncertain: true, refresh: true });
    const b = entry('path', '/b', update, { uncertain: true });
    const fresh = new Map([unit, b].map((e) => [e.resource.id, probed(e.plan!)]));
    expect(probeWindow(jobOf([unit, b]), unit, [b], () => false, (id) => fresh.get(id)!, { any: 0, wide: 0 }, () => true)).toEqual(['path:/u']);
  });

  it('stops at a resource applied ahead with a batch whose refresh is still to come', () => {
    const a = entry('path', '/a', update, { uncertain: true });
    const early = entry('path', '/early', update, { refresh: true });
    const b = entry('path', '/b', update, { uncertain: true });
    const all = [a, early, b];
    const fresh = new Map(all.map((e) => [e.resource.id, probed(e.plan!)]));
    const window = probeWindow(jobOf(all), a, all.slice(1), (id) => id === 'path:/early', (id) => fresh.get(id)!, { any: 1, wide: 0 }, () => true);
    expect(window).toEqual(['path:/a']);
  });
});
