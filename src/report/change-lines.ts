/**
 * What a resource's change says in the text report, in words a reviewer reads at a glance
 * (issue 11): a creation lists the attributes it will have (`+ mode = "0644"`), not
 * `state: "absent" -> "present"`; a content change is its diff alone (the hash stays in `--json`);
 * a command says `will run: <command> (in <cwd>, as <user>)`; a removal says what goes. Long diffs
 * are cut at `diffLines` lines (0: all) with a note of how many were cut. Pure: the caller paints
 * and escapes (each part is marked so that it can).
 */
import type { Change } from '../module.js';
import type { ResourceReport } from './types.js';

export type Line =
  | { kind: 'attr'; field: string; value: unknown; detail?: string } // + field = value
  | { kind: 'change'; field: string; from: unknown; to: unknown } // field: from -> to
  | { kind: 'run'; command: unknown; detail?: string; pending?: unknown } // will run: ...
  | { kind: 'remove'; what: string } // will remove: ...
  | { kind: 'missing'; field: string; value: unknown } // (its cwd "/srv/app" does not exist yet)
  | { kind: 'diff'; text: string } // a line of the unified diff
  | { kind: 'cut'; lines: number }; // (N more lines of the diff not shown)

export const DEFAULT_DIFF_LINES = 60;

export function changeLines(r: ResourceReport, diffLines = DEFAULT_DIFF_LINES): Line[] {
  const out: Line[] = [];
  const hasDiff = !!r.diff;
  // with a diff to show, the content hashes say nothing more (they stay in --json)
  const changes = r.changes.filter((c) => !(hasDiff && isContentHash(c)));
  if (r.action === 'delete') {
    out.push({ kind: 'remove', what: `${r.type} ${r.name}` });
    for (const c of changes) if (!isState(c)) out.push({ kind: 'change', field: c.field, from: c.from, to: c.to });
  } else {
    const pending = r.type === 'command' ? changes.find((c) => c.field === 'onchanges') : undefined;
    for (const c of changes) {
      if (c.field === 'run') out.push({ kind: 'run', command: c.to, detail: c.detail, pending: pending?.to });
      else if (c === pending) continue;
      // a command's cwd or user that a dependency will make: not a change of the command's own
      else if (r.type === 'command' && (c.field === 'cwd' || c.field === 'user') && (c.from === null || c.from === undefined)) out.push({ kind: 'missing', field: c.field, value: c.to });
      else if (r.action === 'create' && isState(c)) continue;
      else if (r.action === 'create' && (c.from === null || c.from === undefined)) out.push({ kind: 'attr', field: c.field, value: c.to, detail: c.detail });
      else out.push({ kind: 'change', field: c.field, from: c.from, to: c.to });
    }
  }
  if (r.diff) {
    const lines = r.diff.trimEnd().split('\n');
    const shown = diffLines > 0 && lines.length > diffLines ? lines.slice(0, diffLines) : lines;
    for (const text of shown) out.push({ kind: 'diff', text });
    if (shown.length < lines.length) out.push({ kind: 'cut', lines: lines.length - shown.length });
  }
  return out;
}

function isState(c: Change): boolean {
  return c.field === 'state';
}

function isContentHash(c: Change): boolean {
  const hash = (v: unknown) => v === null || v === undefined || (typeof v === 'string' && v.startsWith('sha256:'));
  return c.field === 'content' && hash(c.from) && hash(c.to);
}
