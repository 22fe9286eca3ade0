/**
 * Progress of plan and converge on standard error, never on standard output (the report's).
 * On a terminal: one live line per running host (its phase, the resource being applied and how
 * many are done, elapsed), redrawn in place by log-update and cleared before the report prints.
 * Not a terminal, or --json: one timestamped line as each host finishes a phase. --quiet: none.
 */
import type { ProgressEvent } from '../engine/run-host.js';
import { appliedLine, planLine } from '../report/counts.js';
import { escapeTerminalLine } from '../report/escape.js';
import type { HostReport, RunReport } from '../report/types.js';

export type ProgressMode = 'live' | 'lines' | 'quiet';

export function progressMode(flags: { json?: boolean; quiet?: boolean }, stderr: { isTTY?: boolean } = process.stderr): ProgressMode {
  if (flags.quiet) return 'quiet';
  return stderr.isTTY && !flags.json ? 'live' : 'lines';
}

export interface Progress {
  event(e: ProgressEvent): void;
  /** A host finished (its report). */
  host(r: HostReport): void;
  /** Run `fn` with the display out of the way (a passphrase prompt). */
  around<T>(fn: () => Promise<T>): Promise<T>;
  /** A line of its own on stderr (a lock being waited for, Ctrl-C), above the live lines. */
  say(line: string): void;
  /** The run is over: clear the live lines. */
  stop(): void;
}

const sayPlain = (line: string) => void process.stderr.write(`${line}\n`);
const QUIET: Progress = { event: () => undefined, host: () => undefined, around: (fn) => fn(), say: sayPlain, stop: () => undefined };

export async function startProgress(mode: ProgressMode, command: RunReport['command'], hosts: readonly string[]): Promise<Progress> {
  if (mode === 'quiet') return QUIET;
  if (mode === 'lines') return linesProgress(command, (line) => process.stderr.write(line));
  const { createLogUpdate } = await import('log-update');
  return liveProgress(command, hosts, createLogUpdate(process.stderr));
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const ENDED: Record<ProgressEvent['phase'], string> = { connect: 'connected', lock: 'took the host lock', probe: 'probed and planned', apply: 'applied' };

/** What a finished host's line says: its headline's words. */
export function finishedText(r: HostReport, command: RunReport['command']): string {
  const counts = r.counts && (command === 'converge' ? appliedLine(r.counts) : planLine(r.counts));
  switch (r.status) {
    case 'in-sync': return 'in sync';
    case 'ok': return 'nothing changed';
    case 'drift':
    case 'changed': return counts ?? r.status;
    case 'unreachable': return `UNREACHABLE: ${r.error ?? ''}`.trimEnd();
    case 'failed': return `FAILED${r.error ? `: ${r.error.split('\n')[0]}` : ''}`;
  }
}

/** Plain lines: `2026-12-02T15:00:01.123Z web1 connected in 0.2 s`. */
export function linesProgress(command: RunReport['command'], write: (line: string) => void, now = () => Date.now()): Progress {
  const at = new Map<string, { phase: ProgressEvent['phase']; since: number }>();
  const say = (host: string, text: string) => write(`${new Date(now()).toISOString()} ${escapeTerminalLine(host)} ${escapeTerminalLine(text)}\n`);
  /** The line that the host's phase so far has ended, if it is in one. */
  const ended = (host: string) => {
    const prev = at.get(host);
    if (prev) say(host, `${ENDED[prev.phase]} in ${secs(now() - prev.since)}`);
  };
  return {
    event(e) {
      if (at.get(e.host)?.phase === e.phase) return; // the next resource of the same apply
      ended(e.host);
      at.set(e.host, { phase: e.phase, since: now() });
    },
    host(r) {
      ended(r.host);
      at.delete(r.host);
      say(r.host, `${command} done in ${secs(r.durationMs)}: ${finishedText(r, command)}`);
    },
    around: (fn) => fn(),
    say: (line) => write(`${line}\n`),
    stop: () => undefined,
  };
}

interface LogUpdate {
  (...text: string[]): void;
  clear(): void;
  /** Ends the frame and shows the cursor again. */
  done(): void;
}

/** Live lines, redrawn every 100 ms while hosts run. */
export function liveProgress(command: RunReport['command'], hosts: readonly string[], log: LogUpdate, now = () => Date.now()): Progress {
  const started = now();
  const running = new Map<string, ProgressEvent & { since: number }>();
  let finished = 0;
  let failed = 0;
  /** Prompts open (a passphrase each): nothing is drawn while one is. */
  let paused = 0;
  const draw = () => {
    if (paused === 0) log(liveLines(command, hosts, running, finished, failed, now() - started, now(), process.stderr.columns || 100, process.stderr.rows || 24).join('\n'));
  };
  const timer = setInterval(draw, 100);
  timer.unref();
  return {
    event(e) {
      const was = running.get(e.host);
      running.set(e.host, { ...e, since: was?.since ?? now() });
      draw();
    },
    host(r) {
      running.delete(r.host);
      finished++;
      if (r.status === 'failed' || r.status === 'unreachable') failed++;
      draw();
    },
    async around(fn) {
      if (paused++ === 0) {
        log.clear();
        log.done();
      }
      try {
        return await fn();
      } finally {
        paused--;
        draw();
      }
    },
    say(line) {
      // clear the live lines, write the line where they were, draw them again below it
      if (paused === 0) {
        log.clear();
        log.done();
      }
      process.stderr.write(`${line}\n`);
      draw();
    },
    stop() {
      clearInterval(timer);
      log.clear();
      log.done();
    },
  };
}

/** The live display's lines (pure): a header, then one line per running host, as many as the terminal has rows for. */
export function liveLines(
  command: RunReport['command'],
  hosts: readonly string[],
  running: ReadonlyMap<string, ProgressEvent & { since: number }>,
  finished: number,
  failed: number,
  elapsedMs: number,
  nowMs: number,
  columns: number,
  rows: number,
): string[] {
  const head = `keel ${command}: ${finished}/${hosts.length} host${hosts.length === 1 ? '' : 's'} done${failed ? `, ${failed} failed` : ''}, ${secs(elapsedMs)}`;
  const order = hosts.filter((h) => running.has(h));
  const room = Math.max(1, rows - 3);
  const shown = order.length > room ? order.slice(0, room - 1) : order;
  const width = Math.max(...shown.map((h) => h.length), 0);
  const lines = shown.map((h) => {
    const e = running.get(h)!;
    const what = e.phase === 'connect' ? 'connecting' : e.phase === 'lock' ? 'taking the host lock' : e.phase === 'probe' ? 'probing' : `applying ${e.done! + 1}/${e.total} ${e.resource}`;
    return `  ${escapeTerminalLine(h.padEnd(width))}  ${escapeTerminalLine(what)}  ${secs(nowMs - e.since)}`;
  });
  if (shown.length < order.length) lines.push(`  ... and ${order.length - shown.length} more running`);
  // a line wider than the terminal would wrap and break the redraw
  return [head, ...lines].map((l) => (l.length >= columns ? l.slice(0, Math.max(1, columns - 2)) + '…' : l));
}
