/** keel plan / converge: compile everything first (no host touched on bad input), then run. */
import { parseTags } from '../config/index.js';
import type { HostJob } from '../engine/compile.js';
import { exitCode } from '../engine/exit-code.js';
import { runJobs } from '../engine/run.js';
import type { Serial } from '../engine/rollout.js';
import { DEFAULT_LOCK_TIMEOUT_SECONDS, type LockSettings } from '../engine/remote-lock.js';
import { createLogger } from '../log.js';
import { escapeTerminalLine } from '../report/escape.js';
import { renderText } from '../report/text.js';
import type { RunReport } from '../report/types.js';
import { connect } from '../transport/connect.js';
import { compileTagged, loadCommon, type CommonFlags } from './load.js';
import { promptPassphrase } from './prompt.js';

export interface RunFlags extends CommonFlags {
  tags?: string;
  forks: number;
  json?: boolean;
  acceptNew?: boolean;
  detailedExitcode?: boolean;
  lockTimeout?: number;
  serial?: Serial;
  maxFailPercentage?: number;
  /** Lines of each diff the text report shows (0: all). */
  diffLines: number;
}

/** The host lock of a run, and what a run that has to wait for it is told. */
export function runLock(command: string, flags: RunFlags): LockSettings {
  return {
    timeoutSeconds: flags.lockTimeout ?? DEFAULT_LOCK_TIMEOUT_SECONDS,
    command: `keel ${command} -i ${flags.inventory}${flags.limit ? ` -l ${flags.limit}` : ''}`,
    onWait: (host, holder) => process.stderr.write(`${host}: waiting up to ${flags.lockTimeout ?? DEFAULT_LOCK_TIMEOUT_SECONDS} s for the host lock held by ${escapeTerminalLine(holder)}\n`),
  };
}

export async function runCommand(command: RunReport['command'], flags: RunFlags): Promise<void> {
  const tags = parseTags(flags.tags);
  const log = createLogger(flags.logLevel, flags.logFile);
  const { inv, hosts, modules } = await loadCommon(flags);
  const jobs = compileTagged(inv, hosts, modules, tags);
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write('\ninterrupted: finishing the step in flight, skipping the rest (Ctrl-C again to abort)\n');
  };
  process.on('SIGINT', onSigint);
  const report = await runJobs(jobs, {
    command,
    forks: flags.forks,
    log,
    connect: (job: HostJob) => connect(job.host.connection, { log, acceptNew: flags.acceptNew, promptPassphrase }),
    interrupted: () => interrupted,
    lock: command === 'converge' ? runLock(command, flags) : undefined,
    serial: flags.serial,
    maxFailPercent: flags.maxFailPercentage,
  });
  process.off('SIGINT', onSigint);
  process.stdout.write(flags.json ? JSON.stringify(report, null, 2) + '\n' : renderText(report, { diffLines: flags.diffLines }));
  process.exitCode = interrupted ? 130 : exitCode(report, flags.detailedExitcode);
}
