/**
 * The human report: Terraform's symbols (+ create, ~ update, - delete), field changes, unified
 * diffs, and Ansible's recap line per host. Colours only on a terminal (picocolors honours NO_COLOR).
 * Every string that may carry host bytes goes through escape.ts before it is painted.
 */
import pc from 'picocolors';
import { escapeTerminal as esc, escapeTerminalLine as escLine } from './escape.js';
import { changeLines, DEFAULT_DIFF_LINES, type Line } from './change-lines.js';
import { appliedLine, countedHosts, countResources, planLine, sumCounts, type Counts } from './counts.js';
import type { HostReport, ResourceReport, RunReport } from './types.js';

type Colors = ReturnType<typeof pc.createColors>;

const SYMBOL: Record<ResourceReport['action'], string> = { create: '+', update: '~', delete: '-', none: ' ', 'may-change': '?' };

export interface TextOptions {
  color?: boolean;
  /** Lines of each diff shown (0: all); the rest is counted in a note. */
  diffLines?: number;
}

export function renderText(report: RunReport, opts: TextOptions = {}): string {
  const c = pc.createColors(opts.color ?? pc.isColorSupported);
  const diffLines = opts.diffLines ?? DEFAULT_DIFF_LINES;
  const out: string[] = [];
  for (const host of report.hosts) out.push(renderHost(host, report.command, c, diffLines));
  // the whole run in the same words, when there is more than one host to add up
  const counted = countedHosts(report.hosts, report.command);
  if (report.hosts.length > 1 && counted.length) out.push(c.bold(countsLine(sumCounts(counted.map((h) => countsOf(h, report.command))), report.command, `${counted.length} hosts`)));
  out.push(recap(report, c));
  return out.join('\n') + '\n';
}

export function renderHost(host: HostReport, command: RunReport['command'], c: Colors, diffLines = DEFAULT_DIFF_LINES): string {
  const lines = [c.bold(`${escLine(host.host)}: ${hostHeadline(host, command)}`)];
  if (host.error) lines.push(indent(c.red(esc(host.error)), 2));
  for (const r of host.resources) {
    if (r.action === 'none' && r.status === 'ok' && !r.refreshed) continue;
    lines.push(...renderResource(r, command, c, diffLines));
  }
  return lines.join('\n');
}

function hostHeadline(host: HostReport, command: RunReport['command']): string {
  const counts = () => countsLine(countsOf(host, command), command);
  switch (host.status) {
    case 'in-sync': return 'in sync';
    case 'drift': return counts();
    case 'ok': return 'nothing changed';
    case 'changed': return counts();
    case 'unreachable': return 'UNREACHABLE';
    case 'failed': return command === 'converge' ? `FAILED${applied(host) ? ` (${counts()})` : ''}` : 'plan failed';
  }
}

/** The counts the engine put in the report, or (a report made by hand) counted from its resources. */
function countsOf(host: HostReport, command: RunReport['command']): Counts {
  return host.counts ?? countResources(host.resources, command);
}

/** Something was applied before the failure: the headline says what. */
function applied(host: HostReport): boolean {
  return Object.values(countsOf(host, 'converge')).some((n) => n > 0);
}

function countsLine(n: Counts, command: RunReport['command'], scope?: string): string {
  const line = command === 'converge' ? appliedLine(n) : planLine(n);
  return scope ? line.replace(/^(\w+):/, `$1 (${scope}):`) : line;
}

/** `when: false` (a YAML boolean) needs no quoting; an expression is shown as written. */
function skippedNote(condition: string): string {
  return condition === 'false' ? 'skipped: when: false' : `skipped: when ${escLine(JSON.stringify(condition))} is false`;
}

function renderResource(r: ResourceReport, command: RunReport['command'], c: Colors, diffLines: number): string[] {
  const paint = r.status === 'failed' ? c.red : r.status === 'skipped' ? c.gray : r.action === 'create' ? c.green : r.action === 'delete' ? c.red : c.yellow;
  if (r.condition !== undefined) return [c.gray(`    ${escLine(r.id)}`) + c.dim(`  ${escLine(r.source)}  ${skippedNote(r.condition)}`)];
  const note = (r.action === 'may-change' ? ' (may change: a dependency will change first)' : '') + refreshNote(r);
  const state = command === 'converge' || r.status === 'failed' ? ` [${r.status}]` : '';
  // in sync but refreshed (a restart, a handler run): shown as an update
  const symbol = r.action === 'none' && r.refresh ? SYMBOL.update : SYMBOL[r.action];
  const lines = [paint(`  ${symbol} ${escLine(r.id)}`) + c.dim(`  ${escLine(r.source)}`) + note + state];
  const ran = command === 'converge' && r.status === 'changed';
  for (const l of changeLines(r, diffLines)) lines.push(`      ${lineText(l, c, ran)}`);
  for (const w of r.warnings ?? []) lines.push(indent(c.yellow(`warning: ${esc(w)}`), 6));
  if (r.note) lines.push(indent(c.dim(esc(r.note)), 6));
  if (r.error) lines.push(indent(c.red(esc(r.error)), 6));
  return lines;
}

/** ` (will reload: template:/etc/x changes)` in a plan, ` (refreshed: reload after template:/etc/x changed)` after converge. */
function refreshNote(r: ResourceReport): string {
  if (!r.refresh) return r.refreshed ? ' (refreshed: a watched resource changed)' : '';
  const ids = r.refresh.because.map(escLine).join(', ');
  const action = escLine(r.refresh.action);
  if (r.refreshed) return ` (refreshed: ${action} after ${ids} changed)`;
  return ` (will ${action}: ${ids} ${r.refresh.because.length === 1 ? 'changes' : 'change'})`;
}

/** `ran`: converge applied it (a command "ran:", not "will run:"). */
function lineText(l: Line, c: Colors, ran: boolean): string {
  const detail = (d?: string) => (d ? c.dim(` (${escLine(d)})`) : '');
  switch (l.kind) {
    case 'attr': return `${c.green('+')} ${escLine(l.field)} = ${fmt(l.value)}${detail(l.detail)}`;
    case 'change': return `${escLine(l.field)}: ${fmt(l.from)} ${c.dim('->')} ${fmt(l.to)}`;
    case 'run': return `${ran ? 'ran' : 'will run'}: ${typeof l.command === 'string' ? escLine(l.command) : fmt(l.command)}${detail(l.detail)}${l.pending !== undefined ? c.dim(` (if ${escLine(String(l.pending))} changes)`) : ''}`;
    case 'remove': return c.red(`${ran ? 'removed' : 'will remove'}: ${escLine(l.what)}`);
    case 'missing': return c.dim(`(its ${l.field} ${escLine(JSON.stringify(l.value))} ${ran ? 'did' : 'does'} not exist yet)`);
    case 'diff': return diffLine(escLine(l.text), c);
    case 'cut': return c.dim(`... ${l.lines} more line${l.lines === 1 ? '' : 's'} of the diff (--diff-lines 0 shows all)`);
  }
}

function diffLine(l: string, c: Colors): string {
  if (l.startsWith('+++') || l.startsWith('---')) return c.bold(l);
  if (l.startsWith('+')) return c.green(l);
  if (l.startsWith('-')) return c.red(l);
  if (l.startsWith('@@')) return c.cyan(l);
  return l;
}

function recap(report: RunReport, c: Colors): string {
  const width = Math.max(...report.hosts.map((h) => escLine(h.host).length), 4);
  const lines = report.hosts.map((h) => {
    const s = h.summary;
    const unreachable = h.status === 'unreachable' ? 1 : 0;
    const parts = [
      c.green(`ok=${s.ok}`),
      (s.changed ? c.yellow : (x: string) => x)(`changed=${s.changed}`),
      (s.failed ? c.red : (x: string) => x)(`failed=${s.failed}`),
      `skipped=${s.skipped}`,
      (unreachable ? c.red : (x: string) => x)(`unreachable=${unreachable}`),
    ];
    if (s.uncertain) parts.push(`may_change=${s.uncertain}`);
    return `${escLine(h.host).padEnd(width)} : ${parts.join(' ')}`;
  });
  const stopped = report.rollout?.stopped;
  if (stopped) {
    const of = report.rollout!.batches.length;
    lines.push(c.red(`rollout stopped after batch ${stopped.afterBatch} of ${of}: ${stopped.reason}`));
    lines.push(c.red(`not run: ${stopped.notRun.join(', ')}`));
  }
  const t = report.summary;
  lines.push(c.dim(`${report.command}: ${t.hosts} host(s), ${t.drifted} drifted, ${t.changed} changed, ${t.failed} failed, ${t.unreachable} unreachable in ${(report.durationMs / 1000).toFixed(1)}s`));
  return lines.join('\n');
}

function fmt(v: unknown): string {
  // JSON escapes C0 controls; C1 controls and bidi overrides it leaves as they are
  return v === undefined ? '(unset)' : escLine(JSON.stringify(v));
}

function indent(s: string, n: number): string {
  return s.split('\n').map((l) => ' '.repeat(n) + l).join('\n');
}
