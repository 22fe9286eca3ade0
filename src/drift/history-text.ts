/** The human form of `keel history`: episodes, host incidents, recent runs, as aligned tables. */
import { escapeTerminalLine as escLine } from '../report/escape.js';
import type { HistoryView } from './history-query.js';
import { formatDuration } from './time.js';

const short = (iso: string | null) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '');

function table(head: string[], rows: string[][]): string {
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(width[i]))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

export function renderHistory(v: HistoryView): string {
  const out: string[] = [];
  if (v.episodes.length === 0) out.push('drift: none recorded for this filter');
  else {
    out.push(`drift (${v.episodes.filter((e) => e.status === 'open').length} open, ${v.episodes.filter((e) => e.status === 'resolved').length} resolved):`);
    out.push(
      table(
        ['HOST', 'RESOURCE', 'STATUS', 'SINCE', 'FIXED', 'FOR', 'RUNS', 'LAST CHANGE'],
        v.episodes.map((e) => [
          escLine(e.host),
          escLine(e.resource),
          e.status === 'open' ? 'OPEN' : e.resolution === 'removed' ? 'removed' : 'fixed',
          short(e.firstSeen),
          short(e.resolvedAt) || '-',
          formatDuration(e.durationSeconds),
          String(e.seenRuns),
          e.lastChanges.map((c) => c.field).join(',') || e.lastAction,
        ]),
      ),
    );
  }
  if (v.incidents.length) {
    out.push('', 'host errors:');
    out.push(
      table(
        ['HOST', 'STATUS', 'SINCE', 'RECOVERED', 'ERROR'],
        v.incidents.map((i) => [escLine(i.host), i.resolvedAt ? i.status : i.status.toUpperCase(), short(i.firstSeen), short(i.resolvedAt) || '-', escLine((i.error ?? '').split('\n')[0].slice(0, 80))]),
      ),
    );
  }
  out.push('', v.runs.length ? `last ${v.runs.length} run(s):` : 'runs: none recorded for this filter');
  if (v.runs.length) {
    const result = (c: number) => (c === 0 ? 'in sync' : c === 2 ? 'drift' : 'error');
    out.push(
      table(
        ['RUN', 'STARTED', 'TOOK', 'RESULT', 'HOSTS', 'DRIFTED', 'FAILED', 'UNREACHABLE', 'LIMIT'],
        v.runs.map((r) => [String(r.id), short(r.startedAt), `${(r.durationMs / 1000).toFixed(1)}s`, result(r.exitCode) + (r.alertError ? ' (alert failed)' : ''), String(r.hosts), String(r.drifted), String(r.failed), String(r.unreachable), escLine(r.limit ?? 'all')]),
      ),
    );
  }
  return out.join('\n') + '\n';
}
