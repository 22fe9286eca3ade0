/**
 * The dashboard's HTML: one page shell with a small inline style sheet (no script, no external
 * asset, nothing to build) and `esc`, through which every value from the history goes. Host
 * names, resource ids, errors and diffs are text from hosts: besides `& < > " '`, the control and
 * bidi characters that could hide or reorder what is shown are escaped as the terminal report
 * escapes them.
 */
import { escapeTerminal } from '../report/escape.js';
import { formatDuration } from '../drift/time.js';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text as HTML, safe in an element and in a quoted attribute. */
export const esc = (s: string): string => escapeTerminal(s).replace(/[&<>"']/g, (c) => ENTITIES[c]);

/** Trusted markup: what the page functions build from escaped parts. */
export interface Html {
  readonly html: string;
}
export const raw = (html: string): Html => ({ html });

/** A template tag: interpolated strings are escaped, Html values and arrays of them are not. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0];
  values.forEach((v, i) => (out += part(v) + strings[i + 1]));
  return raw(out);
}

function part(v: unknown): string {
  if (v === null || v === undefined || v === false) return '';
  if (Array.isArray(v)) return v.map(part).join('');
  if (typeof v === 'object' && 'html' in v) return (v as Html).html;
  return esc(String(v));
}

/** A host's page address. */
export const hostHref = (host: string) => `/hosts/${encodeURIComponent(host)}`;

/** "2026-01-01 10:00:00Z (3h ago)": the time and how long ago, from `now` (pages are pure). */
export function when(iso: string, now: Date): Html {
  const ago = (now.getTime() - Date.parse(iso)) / 1000;
  return html`<time datetime="${iso}">${iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}</time> <span class="ago">(${formatDuration(ago)} ago)</span>`;
}

const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d1d1f;background:#fafafa}
header{background:#20232a;color:#fff;padding:.6em 1.2em;display:flex;gap:1.5em;align-items:baseline}
header a{color:#cde}header b{font-size:1.2em}main{padding:1em 1.2em}
.where{color:#999;font-size:.85em;margin-left:auto}
.counts{display:flex;gap:1em;margin:0 0 1em}.counts div{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.5em 1em}
.counts b{display:block;font-size:1.6em}
table{border-collapse:collapse;background:#fff;width:100%;margin-bottom:1.5em}th,td{border-bottom:1px solid #e4e4e4;padding:.35em .6em;text-align:left;vertical-align:top}
th{background:#f0f0f0}.ago{color:#777}
.in-sync{color:#17702f}.drift{color:#a35c00}.failed,.unreachable,.error{color:#b3001b}
.episode{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.6em 1em;margin-bottom:1em}
.episode h3{margin:.1em 0 .4em;font-size:1em}
pre{background:#f6f8fa;padding:.5em;overflow-x:auto;margin:.4em 0}pre .add{color:#17702f}pre .del{color:#b3001b}pre .hunk{color:#6f42c1}
ul.changes{margin:.2em 0;padding-left:1.2em}code{font-size:.95em}
.empty{color:#555;font-style:italic}
`.trim();

export interface Shell {
  title: string;
  /** Where the history is (a path or a URL without its password). */
  location: string;
  /** Reload the page every this many seconds (0: not). */
  refresh?: number;
}

/** The whole document around a page's body. */
export function document(shell: Shell, body: Html): string {
  const refresh = shell.refresh ? html`<meta http-equiv="refresh" content="${String(shell.refresh)}">` : '';
  return `<!doctype html>${
    html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">${refresh}<title>${shell.title} · keel</title><style>${raw(CSS)}</style></head>
<body><header><b>keel</b><a href="/">hosts</a><a href="/episodes">open drift</a><a href="/metrics">metrics</a><span class="where">history: ${shell.location}</span></header>
<main>${body}</main></body></html>`.html
  }\n`;
}
