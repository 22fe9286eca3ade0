/**
 * Plan or converge one host: probe once (one exec; two when its states read facts), plan every
 * resource purely into a HostPlan (plan-host.ts), then report it (plan) or apply it (converge,
 * apply-host.ts). Secrets are redacted from whatever the host's report carries.
 */
import { pino, type Logger } from 'pino';
import type { HostReport } from '../report/types.js';
import type { Transport } from '../transport/types.js';
import type { HostJob } from './compile.js';
import { applyHost } from './apply-host.js';
import { probePhase } from './facts-phase.js';
import { inHostSession, type SessionOptions } from './host-session.js';
import { hostReport, redactSecrets, skippedReport } from './host-report.js';
import { planHost, type HostPlan } from './plan-host.js';
import { planReports } from './plan-report.js';

export interface RunHostOptions extends SessionOptions {
  mode: 'plan' | 'converge';
  log: Logger;
  /** Set when the user pressed Ctrl-C: finish the step in flight, skip the rest. */
  interrupted?: () => boolean;
  /** A saved plan: recorded as each host is planned, checked before a host applies anything. */
  pin?: PlanPin;
}

/** What a host is doing now, for a progress display (src/cli/progress.ts). */
export interface ProgressEvent {
  host: string;
  /** Entered: connecting, taking the host lock (converge), probing (and planning), applying resource `done + 1` of `total`. */
  phase: 'connect' | 'lock' | 'probe' | 'apply';
  /** apply: resources finished so far, of `total`, and the one now being applied. */
  done?: number;
  total?: number;
  resource?: string;
}

/** How a saved plan (src/plan-file) sees a run: it never touches a host itself. */
export interface PlanPin {
  /** Plan: the host's plan, as it will be saved. */
  record?(host: string, plan: HostPlan): void;
  /** Converge: why this host's plan is not the saved one (then nothing is applied on it), or undefined. */
  check?(host: string, plan: HostPlan): string | undefined;
}

export async function runHost(job: HostJob, opts: RunHostOptions): Promise<HostReport> {
  // values of sensitive_vars never leave the engine: not in diffs, changes, errors or history
  return redactSecrets(await runHostUnredacted(job, opts), job.host.secrets);
}

async function runHostUnredacted(job: HostJob, opts: RunHostOptions): Promise<HostReport> {
  const started = Date.now();
  // errors logged at debug carry commands and output: redact the host's secrets from them too
  const secrets = job.host.secrets;
  const log = opts.log.child(
    { host: job.host.name },
    { serializers: { err: (e: Error) => redactSecrets(pino.stdSerializers.err(e), secrets) } },
  );
  return inHostSession(job, opts, log, started, (transport) => planAndApply(job, transport, opts, log, started));
}

async function planAndApply(compiled: HostJob, transport: Transport, opts: RunHostOptions, log: Logger, started: number): Promise<HostReport> {
  const sudo = compiled.host.connection.become;
  opts.progress?.({ host: compiled.host.name, phase: 'probe' });
  const { job, facts, outputs } = await probePhase(compiled, transport, sudo, log);
  const plan = planHost(job, facts, outputs);
  const skipped = (job.skipped ?? []).map(skippedReport);
  if (opts.mode === 'plan') {
    opts.pin?.record?.(job.host.name, plan);
    return hostReport(job.host.name, 'plan', started, [...planReports(plan), ...skipped]);
  }
  const refused = opts.pin?.check?.(job.host.name, plan);
  if (refused !== undefined) return hostReport(job.host.name, 'failed', started, [], refused);
  const progress = opts.progress && ((done: number, total: number, resource: string) => opts.progress!({ host: job.host.name, phase: 'apply', done, total, resource }));
  const reports = await applyHost(plan, { transport, sudo, log, interrupted: opts.interrupted, progress });
  return hostReport(job.host.name, 'converge', started, [...reports, ...skipped]);
}
