import { describe, expect, it } from 'vitest';
import { computeTransitions } from '../drift/transitions.js';
import { drifted, inSync, run } from '../drift/test-reports.js';
import { renderText } from '../report/text.js';
import type { ResourceReport } from '../report/types.js';
import { exitCode } from './exit-code.js';
import { hostReport, skippedReport } from './host-report.js';

const pos = { file: 'states/app.yaml', line: 4, column: 5 };
const whenFalse = skippedReport({ id: 'file:/etc/redhat-only', kind: 'file', name: '/etc/redhat-only', tags: [], pos, condition: "os == 'redhat'" });
const cutShort: ResourceReport = { ...inSync('service:app'), status: 'skipped', error: 'skipped: dependency pkg:app failed' };

describe('resources skipped by their condition', () => {
  it('leave the host in sync (plan) or ok (converge), and plan exits 0', () => {
    const plan = hostReport('web1', 'plan', Date.now(), [inSync('pkg:nginx'), whenFalse]);
    expect(plan.status).toBe('in-sync');
    expect(plan.summary).toMatchObject({ ok: 1, skipped: 1, failed: 0 });
    expect(hostReport('web1', 'converge', Date.now(), [whenFalse]).status).toBe('ok');
    expect(exitCode({ ...run('2026-01-01T00:00:00.000Z', [plan]), command: 'plan' })).toBe(0);
  });

  it('unlike a resource skipped because a dependency failed or Ctrl-C', () => {
    expect(hostReport('web1', 'converge', Date.now(), [whenFalse, cutShort]).status).toBe('failed');
  });

  it('show as skipped with the condition in the text report', () => {
    const text = renderText(run('2026-01-01T00:00:00.000Z', [hostReport('web1', 'plan', Date.now(), [whenFalse])]), { color: false });
    expect(text).toContain(`web1: in sync\n    file:/etc/redhat-only  states/app.yaml:4  skipped: when "os == 'redhat'" is false\n`);
    expect(text).toMatch(/web1 : ok=0 changed=0 failed=0 skipped=1 unreachable=0/);
    const literal = skippedReport({ id: 'file:/etc/off', kind: 'file', name: '/etc/off', tags: [], pos, condition: 'false' });
    expect(renderText(run('2026-01-01T00:00:00.000Z', [hostReport('web1', 'plan', Date.now(), [literal])]), { color: false })).toContain('file:/etc/off  states/app.yaml:4  skipped: when: false\n');
  });

  it('are no drift, and resolve an open drift episode of the resource as removed', () => {
    const episode = { id: 1, host: 'web1', resource: 'file:/etc/redhat-only', type: 'file', name: '/etc/redhat-only', firstSeen: '2026-01-01T00:00:00.000Z' };
    const t = computeTransitions({ episodes: [episode], incidents: [] }, run('2026-01-02T00:00:00.000Z', [hostReport('web1', 'plan', Date.now(), [whenFalse, drifted('file:/a')])]));
    expect(t.opened.map((d) => d.resource)).toEqual(['file:/a']);
    expect(t.resolved).toEqual([{ episode, how: 'removed' }]);
  });
});
