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
import { planHost } from './plan-host.js';
import { planReports } from './plan-report.js';

export interface RunHostOptions extends SessionOptions {
  mode: 'plan' | 'converge';
  log: Logger;
  /** Set when the user pressed Ctrl-C: finish the step in flight, skip the rest. */
  interrupted?: () => boolean;
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
  const { job, facts, outputs } = await probePhase(compiled, transport, sudo, log);
  const plan = planHost(job, facts, outputs);
  const skipped = (job.skipped ?? []).map(skippedReport);
  if (opts.mode === 'plan') return hostReport(job.host.name, 'plan', started, [...planReports(plan), ...skipped]);
  const reports = await applyHost(plan, { transport, sudo, log, interrupted: opts.interrupted });
  return hostReport(job.host.name, 'converge', started, [...reports, ...skipped]);
}
