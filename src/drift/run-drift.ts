/**
 * One drift run: take the state dir's lock, plan every host through the same engine path as
 * `keel plan`, record the run in the history, then metrics and alerts. The exit code is the
 * plan's (0 in sync, 2 drift, 1 error); alert and metrics problems are reported, never turned
 * into a different exit code. A history that cannot be written is an error (exit 1).
 */
import { escapeTerminalLine } from '../report/escape.js';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { DriftSettings } from '../config/types.js';
import type { HostJob } from '../engine/compile.js';
import type { ModuleSet } from '../module-set.js';
import { exitCode } from '../engine/exit-code.js';
import { runJobs } from '../engine/run.js';
import type { RunReport } from '../report/types.js';
import type { Transport } from '../transport/types.js';
import { buildAlert, type Alert } from './alerts.js';
import { deliverAlert } from './deliver.js';
import type { History, HistoryLocation } from './history-backend.js';
import type { RunMeta } from './history.js';
import { openHistory } from './open-history.js';
import { acquireLock } from './lock.js';
import { writeFileAtomic } from '../atomic-write.js';
import { metricsSnapshot, prometheusText, sendStatsd, statsdLines } from './metrics.js';
import type { Transitions } from './transitions.js';

export interface DriftRunOptions {
  inventory: string;
  limit?: string;
  tags: string[];
  forks: number;
  log: Logger;
  connect(job: HostJob): Promise<Transport>;
  /** Where the drift lock lives (one controller's runs queue up on it). */
  stateDir: string;
  /** The history the run is recorded in. */
  history: HistoryLocation;
  settings: DriftSettings;
  /** Seconds to wait for another run's lock (0: fail at once). */
  lockTimeoutSeconds: number;
  interrupted?: () => boolean;
  /** Where problems (stale lock taken over, alert not delivered) are told to the user. */
  warn(message: string): void;
}

export interface DriftOutcome {
  report: RunReport;
  exitCode: number;
  runId: number;
  transitions: Transitions;
  alert?: Alert;
  /** Alert and metrics delivery problems (already passed to warn). */
  problems: string[];
}

/** The types of the jobs' modules that have sensitive parameters. */
export function sensitiveTypes(jobs: HostJob[]): Set<string> {
  return new Set(jobs.flatMap((j) => [...sensitiveKinds(j.modules)]));
}

/** The types of a module set that have sensitive parameters. */
export function sensitiveKinds(modules: ModuleSet): Set<string> {
  return new Set([...modules.values()].filter((m) => m.sensitive?.length).map((m) => m.kind));
}

export async function runDrift(jobs: HostJob[], opts: DriftRunOptions): Promise<DriftOutcome> {
  const command = `keel drift -i ${opts.inventory}${opts.limit ? ` -l ${opts.limit}` : ''}`;
  const lock = await acquireLock(opts.stateDir, {
    timeoutMs: opts.lockTimeoutSeconds * 1000,
    command,
    onStale: (h) => {
      opts.log.info({ stale: h }, 'taking over a stale drift lock');
      opts.warn(`taking over a stale lock of pid ${h.pid} (started ${h.startedAt}): that process is gone`);
    },
  });
  let history: History | undefined;
  try {
    // each host's lock too: a drift check must not read a host that a converge is changing
    const hostLock = { timeoutSeconds: opts.lockTimeoutSeconds, command, onWait: (h: string, holder: string) => opts.warn(`${h}: waiting for the host lock held by ${escapeTerminalLine(holder)}`) };
    const report = await runJobs(jobs, { command: 'drift', forks: opts.forks, log: opts.log, connect: opts.connect, interrupted: opts.interrupted, lock: hostLock });
    history = await openHistory(opts.history);
    const meta = { inventory: opts.inventory, limit: opts.limit, tags: opts.tags, exitCode: exitCode(report), sensitiveTypes: sensitiveTypes(jobs) };
    return await recordDrift(history, report, meta, opts.settings, opts);
  } finally {
    await history?.close();
    lock.release();
  }
}

/**
 * Record a finished drift run in the history, then prune, write metrics and deliver alerts: the
 * same steps whether the run was made here or by workers (src/queue/finish.ts, which records the
 * run itself in the transaction that finishes it and passes `recorded`).
 */
export async function recordDrift(
  history: History,
  report: RunReport,
  meta: RunMeta,
  settings: DriftSettings,
  opts: Pick<DriftRunOptions, 'inventory' | 'limit' | 'log' | 'warn'>,
  recorded?: { runId: number; transitions: Transitions },
): Promise<DriftOutcome> {
  const code = meta.exitCode;
  const { runId, transitions } = recorded ?? (await history.recordRun(report, meta));
  if (settings.retentionDays) {
    const pruned = await history.prune(settings.retentionDays);
    if (pruned.runs) opts.log.info(pruned, 'pruned old drift history');
  }
  const problems: string[] = [];
  const problem = (m: string) => {
    problems.push(m);
    opts.log.info(m); // the user sees it through warn(); the log file keeps it too
    opts.warn(m);
  };
  const snapshot = await metricsSnapshot(history, { startedAt: report.startedAt, durationMs: report.durationMs, exitCode: code });
  if (settings.metricsFile) {
    try {
      // world-readable: node_exporter's textfile collector may run as another user (no secrets in it)
      writeFileAtomic(settings.metricsFile, prometheusText(snapshot), 0o644);
    } catch (e) {
      problem(`metrics file ${settings.metricsFile} not written: ${(e as Error).message}`);
    }
  }
  const statsd = settings.statsd ? await sendStatsd(settings.statsd, statsdLines(snapshot, transitions)) : undefined;
  if (statsd) problem(statsd);
  const alert = buildAlert(
    transitions,
    { id: runId, startedAt: report.startedAt, durationMs: report.durationMs, inventory: opts.inventory, limit: opts.limit ?? null, exitCode: code, summary: report.summary },
    hostname(),
  );
  if (alert && (settings.webhook || settings.command)) {
    const failed = await deliverAlert(alert, { webhook: settings.webhook, command: settings.command });
    for (const f of failed) problem(`alert not delivered: ${f}`);
    if (failed.length) await history.setAlertError(runId, failed.join('; '));
  }
  return { report, exitCode: code, runId, transitions, alert, problems };
}
