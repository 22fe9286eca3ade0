import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { SqliteHistory } from './sqlite-history.js';
import { metricsSnapshot, prometheusText, sendStatsd, statsdLines } from './metrics.js';
import { drifted, host, inSync, run } from './test-reports.js';
import { parseProm } from '../../test/helpers/prometheus.js';

async function store() {
  const s = SqliteHistory.open(':memory:');
  await s.recordRun(run('2026-01-01T10:00:00.000Z', [host('web1', [drifted('file:/a'), drifted('file:/b')]), host('db"1', [inSync('pkg:x')])]), { inventory: '/i', tags: [], exitCode: 2, sensitiveTypes: new Set<string>() });
  const r = await s.recordRun(run('2026-01-01T10:30:00.000Z', [host('web1', [drifted('file:/a'), inSync('file:/b')]), host('db"1', [], 'unreachable', 'x')]), { inventory: '/i', tags: [], exitCode: 1, sensitiveTypes: new Set<string>() });
  return { s, t: r.transitions };
}

describe('Prometheus metrics', () => {
  it('writes valid exposition text with HELP and TYPE for every family', async () => {
    const { s } = await store();
    const text = prometheusText(await metricsSnapshot(s, { startedAt: '2026-01-01T10:30:00.000Z', durationMs: 1500, exitCode: 1 }));
    const { samples, type } = parseProm(text);
    const get = (name: string, labels: Record<string, string> = {}) => samples.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v))?.value;
    expect(get('keel_drift_resources', { host: 'web1' })).toBe(1);
    expect(get('keel_drift_host_up', { host: 'web1' })).toBe(1);
    expect(get('keel_drift_host_up', { host: 'db\\"1' })).toBe(0);
    expect(get('keel_drift_open_episodes', { host: 'web1' })).toBe(1);
    expect(get('keel_drift_last_run_timestamp_seconds')).toBe(Date.parse('2026-01-01T10:30:00.000Z') / 1000);
    expect(get('keel_drift_last_run_duration_seconds')).toBe(1.5);
    expect(get('keel_drift_runs_total', { result: 'drift' })).toBe(1);
    expect(get('keel_drift_runs_total', { result: 'error' })).toBe(1);
    expect(get('keel_drift_episodes_resolved_total')).toBe(1);
    expect(type.get('keel_drift_runs_total')).toBe('counter');
    await s.close();
  });
});

describe('StatsD', () => {
  it('a UDP listener receives the counters and gauges', async () => {
    const { s, t } = await store();
    const lines = statsdLines(await metricsSnapshot(s, { startedAt: '2026-01-01T10:30:00.000Z', durationMs: 1500, exitCode: 1 }), t);
    await s.close();
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    const got = new Promise<string>((r) => sock.once('message', (m) => r(m.toString())));
    expect(await sendStatsd(`127.0.0.1:${sock.address().port}`, lines)).toBeUndefined();
    const packet = await got;
    sock.close();
    const received = packet.split('\n');
    for (const l of received) expect(l).toMatch(/^[a-zA-Z0-9_.-]+:-?\d+(\.\d+)?\|(c|g|ms)$/);
    expect(received).toContain('keel.drift.runs:1|c');
    expect(received).toContain('keel.drift.runs.error:1|c');
    expect(received).toContain('keel.drift.episodes_resolved:1|c');
    expect(received).toContain('keel.drift.host.web1.resources_drifted:1|g');
    expect(received).toContain('keel.drift.host.db_1.resources_drifted:0|g');
  });

  it('reports a bad address instead of throwing', async () => {
    expect(await sendStatsd('nope', ['a:1|c'])).toContain('is not host:port');
  });
});
