/**
 * Metrics of drift runs: a Prometheus text-format file (for node_exporter's textfile collector),
 * written atomically, and StatsD lines over UDP. Values come from the history, so a run limited
 * to some hosts still reports the last known state of the others.
 */
import { createSocket } from 'node:dgram';
import type { History } from './history-backend.js';
import type { Transitions } from './transitions.js';

export interface MetricsSnapshot {
  hosts: { host: string; status: string; drifted: number; openEpisodes: number }[];
  lastRun: { startedAt: string; durationMs: number; exitCode: number };
  counters: Map<string, number>;
}

export async function metricsSnapshot(history: History, lastRun: MetricsSnapshot['lastRun']): Promise<MetricsSnapshot> {
  const hosts = (await history.hosts()).map((h) => ({ host: h.host, status: h.status, drifted: h.drifted, openEpisodes: h.openEpisodes }));
  return { hosts, lastRun, counters: await history.counters() };
}

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

/** The exposition text: HELP and TYPE for every family, then its samples. */
export function prometheusText(s: MetricsSnapshot): string {
  const out: string[] = [];
  const family = (name: string, type: 'gauge' | 'counter', help: string, samples: [Record<string, string>, number][]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) {
      const l = Object.entries(labels).map(([k, v]) => `${k}="${esc(v)}"`).join(',');
      out.push(`${name}${l ? `{${l}}` : ''} ${Number.isFinite(value) ? value : 0}`);
    }
  };
  family('keel_drift_resources', 'gauge', 'Resources that drifted from their declared state at the last run that planned the host.', s.hosts.map((h) => [{ host: h.host }, h.drifted]));
  family('keel_drift_open_episodes', 'gauge', 'Drift episodes still open per host (resources drifted and not yet fixed).', s.hosts.map((h) => [{ host: h.host }, h.openEpisodes]));
  family('keel_drift_host_up', 'gauge', '1 if the last drift run could plan the host, 0 if it was unreachable or failed.', s.hosts.map((h) => [{ host: h.host }, h.status === 'in-sync' || h.status === 'drift' ? 1 : 0]));
  family('keel_drift_last_run_timestamp_seconds', 'gauge', 'Unix time at which the last drift run started.', [[{}, Math.round(Date.parse(s.lastRun.startedAt) / 1000)]]);
  family('keel_drift_last_run_duration_seconds', 'gauge', 'Duration of the last drift run.', [[{}, s.lastRun.durationMs / 1000]]);
  family('keel_drift_last_run_exit_code', 'gauge', 'Exit code of the last drift run: 0 in sync, 2 drift, 1 error.', [[{}, s.lastRun.exitCode]]);
  const c = (k: string) => s.counters.get(k) ?? 0;
  family('keel_drift_runs_total', 'counter', 'Drift runs recorded in this history, by result.', (['in-sync', 'drift', 'error'] as const).map((r) => [{ result: r }, c(`runs_total:${r}`)]));
  family('keel_drift_episodes_opened_total', 'counter', 'Drift episodes opened (new drift found).', [[{}, c('episodes_opened_total')]]);
  family('keel_drift_episodes_resolved_total', 'counter', 'Drift episodes resolved (drift fixed or resource removed).', [[{}, c('episodes_resolved_total')]]);
  return out.join('\n') + '\n';
}

/** StatsD lines of one run: counters for the run and its transitions, gauges for the state. */
export function statsdLines(s: MetricsSnapshot, t: Transitions, prefix = 'keel.drift'): string[] {
  const safe = (h: string) => h.replace(/[^A-Za-z0-9_-]/g, '_');
  const result = s.lastRun.exitCode === 0 ? 'in_sync' : s.lastRun.exitCode === 2 ? 'drift' : 'error';
  return [
    `${prefix}.runs:1|c`,
    `${prefix}.runs.${result}:1|c`,
    `${prefix}.episodes_opened:${t.opened.length}|c`,
    `${prefix}.episodes_resolved:${t.resolved.length}|c`,
    `${prefix}.hosts_failing_new:${t.hostFailed.length}|c`,
    `${prefix}.duration:${s.lastRun.durationMs}|ms`,
    `${prefix}.resources_drifted:${s.hosts.reduce((n, h) => n + h.drifted, 0)}|g`,
    `${prefix}.hosts_down:${s.hosts.filter((h) => h.status === 'failed' || h.status === 'unreachable').length}|g`,
    ...s.hosts.map((h) => `${prefix}.host.${safe(h.host)}.resources_drifted:${h.drifted}|g`),
  ];
}

/** Send lines to host:port in packets under 1432 bytes (safe for any MTU); never throws. */
export async function sendStatsd(address: string, lines: string[]): Promise<string | undefined> {
  const m = /^\[?(.+?)\]?:(\d+)$/.exec(address);
  if (!m) return `statsd address ${JSON.stringify(address)} is not host:port`;
  const [, host, port] = m;
  const packets: string[] = [];
  let cur = '';
  for (const l of lines) {
    if (cur && cur.length + 1 + l.length > 1432) {
      packets.push(cur);
      cur = '';
    }
    cur = cur ? `${cur}\n${l}` : l;
  }
  if (cur) packets.push(cur);
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  try {
    for (const p of packets) {
      await new Promise<void>((resolve, reject) => socket.send(p, Number(port), host, (e) => (e ? reject(e) : resolve())));
    }
    return undefined;
  } catch (e) {
    return `statsd ${address}: ${(e as Error).message}`;
  } finally {
    socket.close();
  }
}
