/**
 * A drift episode as the dashboard shows it: what drifted, since when, and its last changes in
 * the words of the text report (src/report/change-lines.ts), then its diff as the history
 * stored it (secrets were redacted before it was stored; a sensitive resource has none).
 */
import type { EpisodeView } from '../drift/history-query.js';
import { changeLines, type Line } from '../report/change-lines.js';
import type { ResourceReport } from '../report/types.js';
import { hostHref, html, type Html, when } from './html.js';

const value = (v: unknown) => (v === undefined ? '(unset)' : JSON.stringify(v));

function lineHtml(l: Exclude<Line, { kind: 'diff' | 'cut' }>): Html {
  switch (l.kind) {
    case 'attr': return html`+ <code>${l.field}</code> = <code>${value(l.value)}</code>${l.detail ? ` (${l.detail})` : ''}`;
    case 'change': return html`<code>${l.field}</code>: <code>${value(l.from)}</code> → <code>${value(l.to)}</code>`;
    case 'run': return html`will run: <code>${typeof l.command === 'string' ? l.command : value(l.command)}</code>${l.detail ? ` (${l.detail})` : ''}`;
    case 'remove': return html`will remove: ${l.what}`;
    case 'missing': return html`(its ${l.field} <code>${value(l.value)}</code> does not exist yet)`;
  }
}

const diffClass = (l: string) => (l.startsWith('+++') || l.startsWith('---') ? '' : l.startsWith('+') ? 'add' : l.startsWith('-') ? 'del' : l.startsWith('@@') ? 'hunk' : '');

/** The changes as a list and the diff as a block, from the last run that saw the drift. */
export function episodeChanges(e: EpisodeView): Html {
  const lines = changeLines({ id: e.resource, type: e.type, name: e.name, source: '', action: e.lastAction as ResourceReport['action'], changes: e.lastChanges, status: 'planned', ...(e.lastDiff ? { diff: e.lastDiff } : {}) }, 0);
  const items = lines.filter((l) => l.kind !== 'diff' && l.kind !== 'cut').map((l) => html`<li>${lineHtml(l as Exclude<Line, { kind: 'diff' | 'cut' }>)}</li>`);
  const diff = lines.flatMap((l) => (l.kind === 'diff' ? [l.text] : []));
  return html`${items.length ? html`<ul class="changes">${items}</ul>` : ''}${
    diff.length ? html`<pre class="diff">${diff.map((t, i) => html`${i ? '\n' : ''}<span class="${diffClass(t)}">${t}</span>`)}</pre>` : ''
  }`;
}

/** One open (or resolved) episode as a card; `withHost` links its host (the all-hosts list). */
export function episodeCard(e: EpisodeView, now: Date, withHost: boolean): Html {
  const state = e.status === 'open' ? html`drifted since ${when(e.firstSeen, now)}` : html`${e.resolution ?? 'fixed'} at ${when(e.resolvedAt!, now)}`;
  return html`<section class="episode"><h3>${withHost ? html`<a href="${hostHref(e.host)}">${e.host}</a> · ` : ''}<code>${e.resource}</code></h3>
<div>${state}; seen by ${String(e.seenRuns)} run${e.seenRuns === 1 ? '' : 's'}, last at ${when(e.lastSeen, now)}</div>
${episodeChanges(e)}</section>`;
}
