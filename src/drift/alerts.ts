/**
 * The alert a drift run sends when, and only when, something changed state: a drift episode
 * opened or resolved, a host newly failing or recovered. One JSON document per run holding every
 * event (docs/alert.schema.json); `text` is a one-line summary for chat webhooks.
 */
import type { Change } from '../module.js';
import type { RunSummary } from '../report/types.js';
import type { Transitions } from './transitions.js';

export const ALERT_SCHEMA = 'keel.drift.alert/v1';

export type AlertEvent =
  | { type: 'drift'; host: string; resource: string; resourceType: string; name: string; action: string; changes: Change[]; firstSeen: string }
  | { type: 'resolved'; host: string; resource: string; resourceType: string; name: string; resolution: 'fixed' | 'removed'; firstSeen: string; resolvedAt: string; durationSeconds: number }
  | { type: 'host-failed'; host: string; status: 'failed' | 'unreachable'; error: string | null; since: string }
  | { type: 'host-recovered'; host: string; status: 'failed' | 'unreachable'; since: string; recoveredAt: string; durationSeconds: number };

export interface AlertRun {
  id: number;
  startedAt: string;
  durationMs: number;
  inventory: string;
  limit: string | null;
  exitCode: number;
  summary: RunSummary;
}

export interface Alert {
  schema: typeof ALERT_SCHEMA;
  text: string;
  controller: string;
  run: AlertRun;
  events: AlertEvent[];
}

const seconds = (from: string, to: string) => Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000));

export function alertEvents(t: Transitions): AlertEvent[] {
  return [
    ...t.hostFailed.map((i): AlertEvent => ({ type: 'host-failed', host: i.host, status: i.status, error: i.error, since: i.since })),
    ...t.opened.map((d): AlertEvent => ({ type: 'drift', host: d.host, resource: d.resource, resourceType: d.type, name: d.name, action: d.action, changes: d.changes, firstSeen: t.at })),
    ...t.resolved.map(({ episode: e, how }): AlertEvent => ({
      type: 'resolved', host: e.host, resource: e.resource, resourceType: e.type, name: e.name, resolution: how, firstSeen: e.firstSeen, resolvedAt: t.at, durationSeconds: seconds(e.firstSeen, t.at),
    })),
    ...t.hostRecovered.map((i): AlertEvent => ({ type: 'host-recovered', host: i.host, status: i.status, since: i.since, recoveredAt: t.at, durationSeconds: seconds(i.since, t.at) })),
  ];
}

/** The alert for a run, or undefined when nothing changed state (no alert at all). */
export function buildAlert(t: Transitions, run: AlertRun, controller: string): Alert | undefined {
  const events = alertEvents(t);
  if (events.length === 0) return undefined;
  return { schema: ALERT_SCHEMA, text: alertText(events), controller, run, events };
}

export function alertText(events: AlertEvent[]): string {
  const count = (type: AlertEvent['type']) => events.filter((e) => e.type === type);
  const parts: string[] = [];
  const list = (es: AlertEvent[]) => {
    const names = es.map((e) => ('resource' in e ? `${e.host} ${e.resource}` : e.host));
    return names.slice(0, 5).join(', ') + (names.length > 5 ? `, +${names.length - 5} more` : '');
  };
  if (count('drift').length) parts.push(`new drift: ${list(count('drift'))}`);
  if (count('resolved').length) parts.push(`resolved: ${list(count('resolved'))}`);
  if (count('host-failed').length) parts.push(`failing: ${list(count('host-failed'))}`);
  if (count('host-recovered').length) parts.push(`recovered: ${list(count('host-recovered'))}`);
  return `keel drift: ${parts.join('; ')}`;
}
