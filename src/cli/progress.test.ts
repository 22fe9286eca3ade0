import { describe, expect, it } from 'vitest';
import type { HostReport } from '../report/types.js';
import { finishedText, linesProgress, liveLines, liveProgress, progressMode } from './progress.js';

const host = (over: Partial<HostReport>): HostReport => ({
  host: 'web1',
  status: 'changed',
  durationMs: 1500,
  resources: [],
  summary: { ok: 0, changed: 1, failed: 0, skipped: 0, uncertain: 0 },
  counts: { add: 1, change: 0, destroy: 0, run: 1, refresh: 0, mayChange: 0 },
  ...over,
});

describe('progressMode', () => {
  it('live on a terminal, lines otherwise or with --json, none with --quiet', () => {
    expect(progressMode({}, { isTTY: true })).toBe('live');
    expect(progressMode({}, { isTTY: false })).toBe('lines');
    expect(progressMode({ json: true }, { isTTY: true })).toBe('lines');
    expect(progressMode({ quiet: true }, { isTTY: true })).toBe('quiet');
  });
});

describe('lines', () => {
  it('one timestamped line as each phase ends, not one per resource', () => {
    let t = Date.parse('2026-12-02T10:00:00.000Z');
    const out: string[] = [];
    const p = linesProgress('converge', (l) => out.push(l), () => t);
    p.event({ host: 'web1', phase: 'connect' });
    t += 200;
    p.event({ host: 'web1', phase: 'probe' });
    t += 300;
    p.event({ host: 'web1', phase: 'apply', done: 0, total: 2, resource: 'file:/a' });
    t += 500;
    p.event({ host: 'web1', phase: 'apply', done: 1, total: 2, resource: 'command:x' });
    t += 500;
    p.host(host({}));
    expect(out).toEqual([
      '2026-12-02T10:00:00.200Z web1 connected in 0.2 s\n',
      '2026-12-02T10:00:00.500Z web1 probed and planned in 0.3 s\n',
      '2026-12-02T10:00:01.500Z web1 applied in 1.0 s\n',
      '2026-12-02T10:00:01.500Z web1 converge done in 1.5 s: Applied: 1 added, 0 changed, 0 destroyed, 1 run, 0 refreshed\n',
    ]);
  });

  it('a host name or error with control characters is escaped', () => {
    const out: string[] = [];
    const p = linesProgress('plan', (l) => out.push(l), () => 0);
    p.host(host({ host: 'evil\x1b[2J', status: 'unreachable', error: 'refused\rX' }));
    expect(out[0]).toBe('1970-01-01T00:00:00.000Z evil\\e[2J plan done in 1.5 s: UNREACHABLE: refused\\rX\n');
  });
});

describe('finishedText', () => {
  it('says what the headline says', () => {
    expect(finishedText(host({ status: 'drift', counts: { add: 0, change: 2, destroy: 0, run: 0, refresh: 1, mayChange: 0 } }), 'plan')).toBe('Plan: 0 to add, 2 to change, 0 to destroy, 0 to run, 1 to refresh');
    expect(finishedText(host({ status: 'in-sync' }), 'plan')).toBe('in sync');
    expect(finishedText(host({ status: 'failed', error: 'nothing applied: x\n  - y' }), 'converge')).toBe('FAILED: nothing applied: x');
  });
});

describe('live', () => {
  it('a header and one line per running host, in inventory order; cut to the terminal', () => {
    const running = new Map([
      ['db1', { host: 'db1', phase: 'apply' as const, done: 3, total: 10, resource: 'pkg:postgresql', since: 0 }],
      ['web1', { host: 'web1', phase: 'probe' as const, since: 1000 }],
    ]);
    expect(liveLines('converge', ['web1', 'db1', 'web2'], running, 1, 1, 2500, 2500, 80, 24)).toEqual([
      'keel converge: 1/3 hosts done, 1 failed, 2.5 s',
      '  web1  probing  1.5 s',
      '  db1   applying 4/10 pkg:postgresql  2.5 s',
    ]);
    const narrow = liveLines('converge', ['web1', 'db1'], running, 0, 0, 0, 2500, 20, 24);
    expect(narrow.every((l) => l.length < 20)).toBe(true);
    expect(narrow[2]).toBe('  db1   applying 4…');
  });

  it('more hosts than rows: as many as fit, then how many more', () => {
    const names = Array.from({ length: 30 }, (_, i) => `h${i}`);
    const running = new Map(names.map((h) => [h, { host: h, phase: 'connect' as const, since: 0 }]));
    const lines = liveLines('plan', names, running, 0, 0, 0, 0, 80, 10);
    expect(lines).toHaveLength(8);
    expect(lines.at(-1)).toBe('  ... and 24 more running');
  });

  it('redraws on each event, clears before the report and while a prompt asks', async () => {
    const frames: string[] = [];
    const calls: string[] = [];
    const log = Object.assign((...t: string[]) => frames.push(t.join(' ')), { clear: () => calls.push('clear'), done: () => calls.push('done') });
    const p = liveProgress('plan', ['web1'], log, () => 0);
    p.event({ host: 'web1', phase: 'connect' });
    expect(frames.at(-1)).toBe('keel plan: 0/1 host done, 0.0 s\n  web1  connecting  0.0 s');
    const answer = await p.around(async () => {
      const drawn = frames.length;
      p.event({ host: 'web1', phase: 'probe' }); // not drawn while the prompt is up
      expect(frames.length).toBe(drawn);
      return 'secret';
    });
    expect(answer).toBe('secret');
    expect(frames.at(-1)).toContain('probing');
    p.host(host({ status: 'drift' }));
    expect(frames.at(-1)).toBe('keel plan: 1/1 host done, 0.0 s');
    p.stop();
    expect(calls).toEqual(['clear', 'done', 'clear', 'done']);
  });
});
