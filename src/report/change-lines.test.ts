import { describe, expect, it } from 'vitest';
import { changeLines } from './change-lines.js';
import { countResources, planLine, appliedLine } from './counts.js';
import { renderText } from './text.js';
import type { ResourceReport, RunReport } from './types.js';

const res = (r: Partial<ResourceReport> & Pick<ResourceReport, 'type' | 'action'>): ResourceReport => ({
  id: `${r.type}:${r.name ?? 'x'}`,
  name: 'x',
  source: 'states/s.yaml:2',
  changes: [],
  status: 'planned',
  ...r,
});

const created = res({
  type: 'file',
  name: '/etc/app.conf',
  action: 'create',
  changes: [
    { field: 'state', from: 'absent', to: 'present' },
    { field: 'mode', from: null, to: '0644' },
    { field: 'content', from: null, to: 'sha256:ab' },
  ],
  diff: '--- /dev/null\n+++ b/etc/app.conf\n@@ -0,0 +1,3 @@\n+a\n+b\n+c\n',
});

describe('changeLines', () => {
  it('a creation lists the attributes it will have, and the diff without the hash', () => {
    expect(changeLines(created)).toEqual([
      { kind: 'attr', field: 'mode', value: '0644' },
      ...['--- /dev/null', '+++ b/etc/app.conf', '@@ -0,0 +1,3 @@', '+a', '+b', '+c'].map((text) => ({ kind: 'diff', text })),
    ]);
  });

  it('a content change is its diff alone; other fields as from -> to', () => {
    const r = res({ type: 'file', action: 'update', changes: [{ field: 'content', from: 'sha256:aa', to: 'sha256:bb' }, { field: 'owner', from: 'root', to: 'www-data' }], diff: '-a\n+b\n' });
    expect(changeLines(r)).toEqual([
      { kind: 'change', field: 'owner', from: 'root', to: 'www-data' },
      { kind: 'diff', text: '-a' },
      { kind: 'diff', text: '+b' },
    ]);
  });

  it('a command says what it will run, where, as whom, and on which change', () => {
    const r = res({ type: 'command', action: 'update', changes: [{ field: 'run', from: null, to: 'manage.py migrate', detail: 'in /srv/app, as app' }, { field: 'onchanges', from: null, to: 'git:/srv/app' }] });
    expect(changeLines(r)).toEqual([{ kind: 'run', command: 'manage.py migrate', detail: 'in /srv/app, as app', pending: 'git:/srv/app' }]);
  });

  it("a command's cwd or user that a dependency makes is said to be missing, not shown as a change", () => {
    const r = res({ type: 'command', action: 'update', changes: [{ field: 'run', from: null, to: 'migrate' }, { field: 'cwd', from: null, to: '/srv/app' }, { field: 'user', from: null, to: 'app' }] });
    expect(changeLines(r)).toEqual([{ kind: 'run', command: 'migrate' }, { kind: 'missing', field: 'cwd', value: '/srv/app' }, { kind: 'missing', field: 'user', value: 'app' }]);
  });

  it('a removal says what is removed', () => {
    const r = res({ type: 'user', name: 'olduser', action: 'delete', changes: [{ field: 'state', from: 'present', to: 'absent' }] });
    expect(changeLines(r)).toEqual([{ kind: 'remove', what: 'user olduser' }]);
  });

  it('cuts a long diff at N lines with how many were cut; 0 shows all', () => {
    const r = res({ type: 'file', action: 'update', diff: Array.from({ length: 10 }, (_, i) => `+${i}`).join('\n') });
    expect(changeLines(r, 4)).toEqual([...['+0', '+1', '+2', '+3'].map((text) => ({ kind: 'diff', text })), { kind: 'cut', lines: 6 }]);
    expect(changeLines(r, 0)).toHaveLength(10);
    expect(changeLines(r, 10)).toHaveLength(10);
  });
});

describe('counts', () => {
  const plan = [
    created,
    res({ type: 'file', action: 'update', name: 'b' }),
    res({ type: 'user', action: 'delete', name: 'c' }),
    res({ type: 'command', action: 'update', name: 'migrate' }),
    res({ type: 'service', action: 'none', name: 'nginx', refresh: { action: 'reload', because: ['file:/etc/app.conf'] } }),
    res({ type: 'service', action: 'update', name: 'gunicorn', refresh: { action: 'restart', because: ['file:/etc/app.conf'] } }),
    res({ type: 'file', action: 'may-change', name: 'd' }),
    res({ type: 'file', action: 'update', name: 'e', status: 'failed' }),
  ];

  it('plan: add, change, destroy, run, refresh (a resource that changes and restarts counts in both), may change', () => {
    const n = countResources(plan, 'plan');
    expect(n).toEqual({ add: 1, change: 2, destroy: 1, run: 1, refresh: 2, mayChange: 1 });
    expect(planLine(n)).toBe('Plan: 1 to add, 2 to change, 1 to destroy, 1 to run, 2 to refresh, 1 may change');
  });

  it('converge: what changed and what was refreshed, in the same words', () => {
    const done = plan.map((r) => ({ ...r, status: r.status === 'failed' ? ('failed' as const) : r.action === 'none' || r.action === 'may-change' ? ('ok' as const) : ('changed' as const), refreshed: !!r.refresh }));
    const n = countResources(done, 'converge');
    expect(n).toEqual({ add: 1, change: 2, destroy: 1, run: 1, refresh: 2, mayChange: 0 });
    expect(appliedLine(n)).toBe('Applied: 1 added, 2 changed, 1 destroyed, 1 run, 2 refreshed');
  });

  it('the text report: a headline per host with its counts, and the total over hosts', () => {
    const report: RunReport = {
      command: 'plan',
      startedAt: '2026-01-01T00:00:00.000Z',
      durationMs: 1,
      hosts: ['web1', 'web2'].map((host) => ({ host, status: 'drift' as const, durationMs: 1, resources: [created], summary: { ok: 0, changed: 1, failed: 0, skipped: 0, uncertain: 0 } })),
      summary: { hosts: 2, drifted: 2, changed: 0, failed: 0, unreachable: 0 },
    };
    const text = renderText(report, { color: false });
    expect(text).toContain('web1: Plan: 1 to add, 0 to change, 0 to destroy, 0 to run, 0 to refresh\n  + file:/etc/app.conf  states/s.yaml:2\n      + mode = "0644"\n      --- /dev/null\n');
    expect(text).toContain('\nPlan (2 hosts): 2 to add, 0 to change, 0 to destroy, 0 to run, 0 to refresh\n');
    expect(renderText(report, { color: false, diffLines: 2 })).toContain('      +++ b/etc/app.conf\n      ... 4 more lines of the diff (--diff-lines 0 shows all)\n');
  });
});
