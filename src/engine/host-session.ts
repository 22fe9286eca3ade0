/**
 * A host's connection for one run: connect, take the host lock (converge, drift), run, release
 * and close. A connection that drops during the read-only probe is opened again once and the
 * probe repeated; nothing has changed on the host yet. A drop during apply is not retried: the
 * step's outcome is unknown, and the report says so.
 */
import type { Logger } from 'pino';
import { ConnectionLostError, errorMessage } from '../errors.js';
import type { HostReport } from '../report/types.js';
import type { Transport } from '../transport/types.js';
import type { HostJob } from './compile.js';
import { hostReport } from './host-report.js';
import type { RemoteLock } from './remote-lock.js';
import type { ProgressEvent } from './run-host.js';
import { countRoundTrips } from './round-trips.js';

export interface SessionOptions {
  connect(job: HostJob): Promise<Transport>;
  /** Take the host's run lock on the fresh connection (absent: no lock, as for plan). */
  lock?(transport: Transport): Promise<RemoteLock>;
  /** A progress display is told each phase the host enters (run-host.ts). */
  progress?(event: ProgressEvent): void;
}

/** Thrown by the probe phase when the connection dropped under it. */
export class ProbeConnectionLost extends ConnectionLostError {
  override name = 'ProbeConnectionLost';
}

/** Wrap the probe: a dropped connection there may be retried. */
export async function retryableProbe<T>(probe: Promise<T>): Promise<T> {
  try {
    return await probe;
  } catch (e) {
    if (e instanceof ConnectionLostError) throw new ProbeConnectionLost(e.message, { host: e.host, hint: e.hint, cause: e });
    throw e;
  }
}

export async function inHostSession(job: HostJob, opts: SessionOptions, log: Logger, started: number, run: (t: Transport) => Promise<HostReport>): Promise<HostReport> {
  // round trips of every attempt, the lock's included: the report says what the host cost
  let roundTrips = 0;
  for (let attempt = 1; ; attempt++) {
    let transport: Transport;
    opts.progress?.({ host: job.host.name, phase: 'connect' });
    try {
      transport = await opts.connect(job);
    } catch (e) {
      return { ...hostReport(job.host.name, 'unreachable', started, [], errorMessage(e)), roundTrips };
    }
    const trips = countRoundTrips(transport);
    let lock: RemoteLock | undefined;
    let report: HostReport | undefined;
    try {
      if (opts.lock) opts.progress?.({ host: job.host.name, phase: 'lock' });
      lock = await opts.lock?.(trips.transport);
      report = await run(trips.transport);
    } catch (e) {
      if (e instanceof ProbeConnectionLost && attempt === 1) {
        log.warn({ err: e.message }, 'connection lost during the probe: connecting again to probe once more');
      } else {
        log.debug({ err: e }, 'host failed');
        report = hostReport(job.host.name, 'failed', started, [], errorMessage(e));
      }
    } finally {
      await lock?.release().catch(() => undefined);
      await transport.close().catch(() => undefined);
    }
    roundTrips += trips.count();
    if (report) return { ...report, roundTrips };
  }
}
