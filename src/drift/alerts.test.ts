import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { buildAlert } from './alerts.js';
import { computeTransitions, type PreviousState } from './transitions.js';
import { drifted, host, inSync, run } from './test-reports.js';

const schema = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'alert.schema.json'), 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: true });
ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
const validate = ajv.compile(schema);

const RUN = { id: 7, startedAt: '2026-01-01T10:00:00.000Z', durationMs: 1000, inventory: '/inv.yaml', limit: null, exitCode: 2, summary: { hosts: 1, drifted: 1, changed: 0, failed: 0, unreachable: 0 } };
const EP = { id: 1, host: 'web1', resource: 'file:/a', type: 'file', name: '/a', firstSeen: '2026-01-01T09:00:01.000Z' };
const none: PreviousState = { episodes: [], incidents: [] };

describe('alert transitions', () => {
  it('alerts on new drift only, not while it lasts', () => {
    const first = computeTransitions(none, run('2026-01-01T10:00:00.000Z', [host('web1', [drifted('file:/a')])]));
    const alert = buildAlert(first, RUN, 'ctl')!;
    expect(alert.events).toEqual([expect.objectContaining({ type: 'drift', host: 'web1', resource: 'file:/a', action: 'update', firstSeen: '2026-01-01T10:00:01.000Z' })]);
    expect(alert.text).toBe('keel drift: new drift: web1 file:/a');
    expect(validate(alert), JSON.stringify(validate.errors)).toBe(true);
    const same = computeTransitions({ episodes: [EP], incidents: [] }, run('2026-01-01T10:30:00.000Z', [host('web1', [drifted('file:/a')])]));
    expect(buildAlert(same, RUN, 'ctl')).toBeUndefined();
    const quiet = computeTransitions(none, run('2026-01-01T10:30:00.000Z', [host('web1', [inSync('file:/a')])]));
    expect(buildAlert(quiet, RUN, 'ctl')).toBeUndefined();
  });

  it('alerts once when drift is resolved, with how long it lasted', () => {
    const t = computeTransitions({ episodes: [EP], incidents: [] }, run('2026-01-01T10:00:00.000Z', [host('web1', [inSync('file:/a')])]));
    const alert = buildAlert(t, { ...RUN, exitCode: 0 }, 'ctl')!;
    expect(alert.events).toEqual([expect.objectContaining({ type: 'resolved', resolution: 'fixed', firstSeen: EP.firstSeen, resolvedAt: '2026-01-01T10:00:01.000Z', durationSeconds: 3600 })]);
    expect(validate(alert), JSON.stringify(validate.errors)).toBe(true);
  });

  it('alerts when a host starts failing and when it recovers, not in between', () => {
    const down = run('2026-01-01T10:00:00.000Z', [host('web1', [], 'unreachable', 'connect ECONNREFUSED')]);
    const a1 = buildAlert(computeTransitions(none, down), { ...RUN, exitCode: 1 }, 'ctl')!;
    expect(a1.events).toEqual([{ type: 'host-failed', host: 'web1', status: 'unreachable', error: 'connect ECONNREFUSED', since: '2026-01-01T10:00:01.000Z' }]);
    expect(validate(a1), JSON.stringify(validate.errors)).toBe(true);
    const incident = { host: 'web1', status: 'unreachable' as const, error: 'x', since: '2026-01-01T10:00:01.000Z' };
    expect(buildAlert(computeTransitions({ episodes: [], incidents: [incident] }, down), RUN, 'ctl')).toBeUndefined();
    const up = computeTransitions({ episodes: [], incidents: [incident] }, run('2026-01-01T11:00:00.000Z', [host('web1', [inSync('file:/a')])]));
    const a2 = buildAlert(up, { ...RUN, exitCode: 0 }, 'ctl')!;
    expect(a2.events).toEqual([{ type: 'host-recovered', host: 'web1', status: 'unreachable', since: incident.since, recoveredAt: '2026-01-01T11:00:01.000Z', durationSeconds: 3600 }]);
    expect(validate(a2), JSON.stringify(validate.errors)).toBe(true);
  });

  it('puts every event of a run in one alert', () => {
    const t = computeTransitions({ episodes: [EP], incidents: [] }, run('2026-01-01T10:00:00.000Z', [host('web1', [inSync('file:/a'), drifted('file:/b')]), host('web2', [], 'failed', 'boom')]));
    const alert = buildAlert(t, RUN, 'ctl')!;
    expect(alert.events.map((e) => e.type)).toEqual(['host-failed', 'drift', 'resolved']);
    expect(alert.text).toBe('keel drift: new drift: web1 file:/b; resolved: web1 file:/a; failing: web2');
    expect(validate(alert), JSON.stringify(validate.errors)).toBe(true);
  });
});
