/**
 * The dashboard's pages as pure functions of what the history answered (and `now`, for "3h
 * ago"): `/` the hosts, `/episodes` the open drift, `/hosts/:name` one host's history. The
 * server only queries and sends; everything shown is decided here, tested from fixtures.
 */
import type { HostState } from '../drift/history-backend.js';
import type { HistoryView } from '../drift/history-query.js';
import { formatDuration } from '../drift/time.js';
import { episodeCard } from './episode-html.js';
import { document, hostHref, html, type Html, type Shell, when } from './html.js';

const failing = (h: HostState) => h.status === 'failed' || h.status === 'unreachable';
const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** What a host is now, in a few words: in sync, drifted since T, failing since T with the error. */
export function hostStatus(h: HostState, now: Date): Html {
  if (failing(h)) {
    return html`<span class="${h.status}">${h.status === 'unreachable' ? 'unreachable' : 'failing'}</span> since ${when(h.failingSince ?? h.at, now)}${
      h.error ? html`<pre class="error">${h.error}</pre>` : ''
    }${h.openEpisodes ? html`<div>${plural(h.openEpisodes, 'open drift episode')} from before</div>` : ''}`;
  }
  if (h.status === 'drift' || h.openEpisodes) {
    return html`<span class="drift">drifted</span> since ${when(h.driftedSince ?? h.at, now)}: ${plural(h.drifted, 'resource')}`;
  }
  return html`<span class="in-sync">in sync</span>`;
}

function counts(hosts: HostState[], openEpisodes: number): Html {
  const n = (f: (h: HostState) => boolean) => String(hosts.filter(f).length);
  const box = (v: string, label: string, cls = '') => html`<div class="${cls}"><b>${v}</b>${label}</div>`;
  return html`<div class="counts">${box(String(hosts.length), 'hosts')}${box(n((h) => !failing(h) && h.status !== 'drift' && !h.openEpisodes), 'in sync', 'in-sync')}${box(
    n((h) => !failing(h) && (h.status === 'drift' || h.openEpisodes > 0)),
    'drifted',
    'drift',
  )}${box(n(failing), 'failing', 'failed')}${box(String(openEpisodes), 'open episodes')}</div>`;
}

const REFRESH_CHOICES = [0, 30, 300];

/** `/`: every host the history knows, as its last run left it. */
export function hostsPage(shell: Shell, hosts: HostState[], now: Date): string {
  const openEpisodes = hosts.reduce((n, h) => n + h.openEpisodes, 0);
  const refresh = html`<p>auto refresh: ${REFRESH_CHOICES.map((s, i) => html`${i ? ' · ' : ''}${s === (shell.refresh ?? 0) ? html`<b>${s ? `${formatDuration(s)}` : 'off'}</b>` : html`<a href="/${s ? `?refresh=${s}` : ''}">${s ? formatDuration(s) : 'off'}</a>`}`)}</p>`;
  const rows = hosts.map(
    (h) => html`<tr><td><a href="${hostHref(h.host)}">${h.host}</a></td><td>${hostStatus(h, now)}</td><td>${when(h.at, now)}</td></tr>`,
  );
  const body = hosts.length
    ? html`<table><thead><tr><th>host</th><th>state</th><th>last run</th></tr></thead><tbody>${rows}</tbody></table>`
    : html`<p class="empty">No host recorded in this history yet: <code>keel drift</code> records one.</p>`;
  return document(shell, html`<h1>Hosts</h1>${counts(hosts, openEpisodes)}${refresh}${body}`);
}

/** `/` and the other pages before the history file exists: say so, and how it comes to be. */
export function noHistoryPage(shell: Shell): string {
  return document(shell, html`<h1>No drift history yet</h1><p class="empty">There is no history at <code>${shell.location}</code> yet. <code>keel drift</code> creates it with its first run; this page shows it from then on.</p>`);
}

/** `/episodes`: the drift still open, newest first, each with its changes and diff. */
export function episodesPage(shell: Shell, view: HistoryView, now: Date): string {
  const open = view.episodes.filter((e) => e.status === 'open');
  const body = open.length ? open.map((e) => episodeCard(e, now, true)) : html`<p class="empty">No open drift: every host planned was in sync at its last run.</p>`;
  return document(shell, html`<h1>Open drift (${String(open.length)})</h1>${body}`);
}

/** `/hosts/:name`: one host's state, its episodes (open ones with their diffs), incidents and runs. */
export function hostPage(shell: Shell, host: string, state: HostState | undefined, view: HistoryView, now: Date): string {
  const open = view.episodes.filter((e) => e.status === 'open');
  const resolved = view.episodes.filter((e) => e.status === 'resolved');
  const episodes = html`<h2>Open drift (${String(open.length)})</h2>${open.length ? open.map((e) => episodeCard(e, now, false)) : html`<p class="empty">none</p>`}`;
  const fixed = resolved.length
    ? html`<h2>Drift fixed (${String(resolved.length)})</h2><table><thead><tr><th>resource</th><th>from</th><th>until</th><th>for</th><th>how</th></tr></thead><tbody>${resolved.map(
        (e) => html`<tr><td><code>${e.resource}</code></td><td>${when(e.firstSeen, now)}</td><td>${when(e.resolvedAt!, now)}</td><td>${formatDuration(e.durationSeconds)}</td><td>${e.resolution ?? ''}</td></tr>`,
      )}</tbody></table>`
    : '';
  const incidents = view.incidents.length
    ? html`<h2>Failures</h2><table><thead><tr><th>status</th><th>since</th><th>recovered</th><th>error</th></tr></thead><tbody>${view.incidents.map(
        (i) => html`<tr><td class="${i.status}">${i.status}</td><td>${when(i.firstSeen, now)}</td><td>${i.resolvedAt ? when(i.resolvedAt, now) : 'not yet'}</td><td><pre class="error">${i.error ?? ''}</pre></td></tr>`,
      )}</tbody></table>`
    : '';
  const result = (c: number) => (c === 0 ? 'in sync' : c === 2 ? 'drift' : 'error');
  const runs = html`<h2>Runs with this host (last ${String(view.runs.length)})</h2><table><thead><tr><th>run</th><th>started</th><th>took</th><th>result</th><th>hosts</th><th>drifted</th><th>failed</th><th>unreachable</th></tr></thead><tbody>${view.runs.map(
    (r) => html`<tr><td>${String(r.id)}</td><td>${when(r.startedAt, now)}</td><td>${(r.durationMs / 1000).toFixed(1)}s</td><td class="${result(r.exitCode).replace(' ', '-')}">${result(r.exitCode)}</td><td>${String(r.hosts)}</td><td>${String(r.drifted)}</td><td>${String(r.failed)}</td><td>${String(r.unreachable)}</td></tr>`,
  )}</tbody></table>`;
  const head = state ? html`<div>${hostStatus(state, now)}</div><p>last run: ${when(state.at, now)}</p>` : '';
  return document(shell, html`<h1>${host}</h1>${head}${episodes}${fixed}${incidents}${runs}`);
}

/** A page for a host the history does not know (404). */
export function unknownHostPage(shell: Shell, host: string): string {
  return document(shell, html`<h1>${host}</h1><p class="empty">This history has no run of a host named <code>${host}</code>.</p><p><a href="/">all hosts</a></p>`);
}

/** A query that failed (the database went away): the message, never a stack trace. */
export function errorPage(shell: Shell, message: string): string {
  return document(shell, html`<h1>The history could not be read</h1><pre class="error">${message}</pre>`);
}
