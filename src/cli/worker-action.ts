/** keel worker's work, loaded only when `keel worker` runs (PostgreSQL's client with it). */
import { hostname } from 'node:os';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { loadInventory, parseVarArgs } from '../config/index.js';
import { setValidatorCache } from '../config/ajv.js';
import { defaultUnitDir, systemdProblem } from '../drift/install.js';
import { KeelError, UsageError } from '../errors.js';
import { createLogger } from '../log.js';
import { decryptInventorySecrets } from '../secrets/decrypt.js';
import { writeFileAtomic } from '../atomic-write.js';
import { openQueue } from '../queue/open-queue.js';
import { runWorker } from '../queue/worker.js';
import { workerUnit } from '../queue/worker-unit.js';
import { escapeTerminalLine } from '../report/escape.js';
import { connect } from '../transport/connect.js';
import { builtinModules } from '../../modules/index.js';
import type { WorkerFlags } from './worker-command.js';
import { checkQueueUrl } from './queue-url.js';

export async function workerCommand(flags: WorkerFlags): Promise<void> {
  checkQueueUrl(flags.queue);
  if (!flags.installUnit && (flags.unitDir || flags.user)) throw new UsageError(`${flags.unitDir ? '--unit-dir' : '--user'} without --install-unit`);
  // the worker's inventory must load here and now: a typo is not found at the first job
  let settings = loadInventory(flags.inventory).drift ?? {};
  if (flags.installUnit) return installUnit(flags);
  const name = flags.name ?? `${hostname()}:${process.pid}`;
  const log = createLogger(flags.logLevel, flags.logFile);
  const say = (m: string) => process.stderr.write(`keel worker: ${escapeTerminalLine(m)}\n`);
  const queue = await openQueue(flags.queue, { max: flags.concurrency + 3 });
  let stopping = false;
  const stop = (sig: string) => {
    if (stopping) process.exit(130);
    stopping = true;
    say(`${sig}: taking no new job, finishing the ones in flight (again to quit at once: their leases run out and another worker takes them)`);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  say(`${name} taking jobs from ${queue.location} (${flags.concurrency} at once, lease ${flags.lease} s)`);
  try {
    await runWorker({
      queue,
      name,
      inventory: flags.inventory,
      concurrency: flags.concurrency,
      leaseSeconds: flags.lease,
      pollSeconds: Math.min(2, flags.lease / 3),
      log,
      load: async (vars) => {
        const secrets = await decryptInventorySecrets(flags.inventory);
        const inv = loadInventory(flags.inventory, { vars: parseVarArgs(vars), secrets });
        setValidatorCache(inv.stateDir);
        settings = inv.drift ?? {};
        return { inv, modules: builtinModules };
      },
      modules: builtinModules,
      // the newest the worker read: a finished run's prune, metrics and alerts
      settings: () => settings,
      connect: (job) => connect(job.host.connection, { log, acceptNew: flags.acceptNew }),
      stopping: () => stopping,
      onJob: (job, report, accepted) => say(`run ${job.runId} ${job.request.command} ${job.host}: ${report.status}${report.error ? ` (${report.error})` : ''}${accepted ? '' : ' - refused: the lease ran out, another worker has it'}`),
      onFinished: (run) => say(`run ${run.runId} finished (exit ${run.exitCode})${run.recorded ? `, history run ${run.recorded.runId}` : ''}`),
      warn: say,
    });
  } finally {
    await queue.close();
  }
  say('stopped');
}

function installUnit(flags: WorkerFlags): void {
  if (!flags.unitDir) {
    const problem = systemdProblem();
    if (problem) throw new KeelError('E_NO_SYSTEMD', problem.replace('use --install-cron, or --every in the foreground, or --unit-dir DIR', 'run keel worker in the foreground, or --unit-dir DIR'));
  }
  const unit = workerUnit(
    {
      node: process.execPath,
      execArgv: process.execArgv,
      script: resolve(process.argv[1]),
      inventory: resolve(flags.inventory),
      queue: flags.queue,
      concurrency: flags.concurrency,
      lease: flags.lease,
      name: flags.name,
      logLevel: flags.logLevel,
    },
    flags.user,
  );
  const dir = flags.unitDir ? resolve(flags.unitDir) : defaultUnitDir();
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${unit.name}.service`);
  const changed = !existsSync(path) || readFileSync(path, 'utf8') !== unit.text;
  if (changed) writeFileAtomic(path, unit.text, 0o644);
  process.stdout.write(`${changed ? 'wrote' : 'unchanged'}: ${path}\n`);
  if (flags.unitDir) {
    process.stdout.write(`not enabled (--unit-dir): copy it to /etc/systemd/system, then systemctl enable --now ${unit.name}.service\n`);
    return;
  }
  const user = process.getuid?.() === 0 ? [] : ['--user'];
  execFileSync('systemctl', [...user, 'daemon-reload'], { stdio: 'inherit' });
  execFileSync('systemctl', [...user, 'enable', '--now', `${unit.name}.service`], { stdio: 'inherit' });
  process.stdout.write(`enabled ${unit.name}.service; its password (PGPASSWORD=...) goes in /etc/keel/${unit.name}.env (mode 0600) or the user's ~/.pgpass; logs: journalctl -u ${unit.name}\n`);
}
