/**
 * What changed between the history's last known state and one drift report: drift episodes
 * opened, still open, resolved; hosts newly failing, still failing, recovered. Pure: the history
 * store applies the result in one transaction and alerts are built from it, so "alert only on
 * transitions" is decided here and nowhere else.
 */
import type { Change } from '../module.js';
import type { HostReport, ResourceReport, RunReport } from '../report/types.js';

export interface OpenEpisode {
  id: number;
  host: string;
  resource: string;
  type: string;
  name: string;
  firstSeen: string;
}

export interface HostIncident {
  host: string;
  status: 'failed' | 'unreachable';
  error: string | null;
  since: string;
}

export interface DriftedResource {
  host: string;
  resource: string;
  type: string;
  name: string;
  action: string;
  changes: Change[];
}

export interface Resolved {
  episode: OpenEpisode;
  /** fixed: planned in sync again; removed: no longer declared for the host. */
  how: 'fixed' | 'removed';
}

export interface Transitions {
  at: string;
  opened: DriftedResource[];
  ongoing: (DriftedResource & { episodeId: number })[];
  resolved: Resolved[];
  hostFailed: HostIncident[];
  hostStillFailing: HostIncident[];
  hostRecovered: HostIncident[];
}

export interface PreviousState {
  episodes: OpenEpisode[];
  incidents: HostIncident[];
}

const DRIFT_ACTIONS = new Set(['create', 'update', 'delete']);

export const isDrifted = (r: ResourceReport): boolean => r.status === 'planned' && DRIFT_ACTIONS.has(r.action);
const isInSync = (r: ResourceReport): boolean => r.action === 'none' && r.status === 'ok';
const isHostError = (h: HostReport): h is HostReport & { status: 'failed' | 'unreachable' } => h.status === 'failed' || h.status === 'unreachable';

/**
 * `tags`: the run's --tags. Without tags a fully planned host's report lists every declared
 * resource, so an open episode whose resource is missing was removed from the states.
 */
export function computeTransitions(prev: PreviousState, report: RunReport, tags: string[] = []): Transitions {
  const at = new Date(Date.parse(report.startedAt) + report.durationMs).toISOString();
  const t: Transitions = { at, opened: [], ongoing: [], resolved: [], hostFailed: [], hostStillFailing: [], hostRecovered: [] };
  const openByHost = new Map<string, Map<string, OpenEpisode>>();
  for (const e of prev.episodes) {
    if (!openByHost.has(e.host)) openByHost.set(e.host, new Map());
    openByHost.get(e.host)!.set(e.resource, e);
  }
  const incidents = new Map(prev.incidents.map((i) => [i.host, i]));

  for (const h of report.hosts) {
    const incident = incidents.get(h.host);
    if (isHostError(h)) {
      const now: HostIncident = { host: h.host, status: h.status, error: h.error ?? firstResourceError(h), since: incident?.since ?? at };
      (incident ? t.hostStillFailing : t.hostFailed).push(now);
    } else if (incident) {
      t.hostRecovered.push(incident);
    }
    // Unreachable, or failed before anything was planned: nothing is known about its resources.
    if (h.resources.length === 0 && isHostError(h)) continue;

    const open = openByHost.get(h.host) ?? new Map<string, OpenEpisode>();
    const seen = new Set<string>();
    for (const r of h.resources) {
      // a resource its condition skips is not declared for this host now: an open episode of it is resolved as removed
      if (r.condition !== undefined) continue;
      seen.add(r.id);
      const ep = open.get(r.id);
      if (isDrifted(r)) {
        const d: DriftedResource = { host: h.host, resource: r.id, type: r.type, name: r.name, action: r.action, changes: r.changes };
        if (ep) t.ongoing.push({ ...d, episodeId: ep.id });
        else t.opened.push(d);
      } else if (ep && isInSync(r)) {
        t.resolved.push({ episode: ep, how: 'fixed' });
      }
      // failed, skipped or may-change: unknown, the episode stays as it is
    }
    if (tags.length === 0 && !isHostError(h)) {
      for (const [id, ep] of open) if (!seen.has(id)) t.resolved.push({ episode: ep, how: 'removed' });
    }
  }
  return t;
}

function firstResourceError(h: HostReport): string | null {
  const r = h.resources.find((x) => x.status === 'failed' && x.error);
  return r ? `${r.id}: ${r.error}` : null;
}

/** True when the run changed anything worth an alert. */
export const hasAlertableTransitions = (t: Transitions): boolean =>
  t.opened.length + t.resolved.length + t.hostFailed.length + t.hostRecovered.length > 0;
