/** keel drift's work, loaded only when `keel drift` runs (keeps every other command's start fast). */
import { resolve } from 'node:path';
import { userInfo } from 'node:os';
import { Cron } from 'croner';
import type { Logger } from 'pino';
import { parseTags } from '../config/index.js';
import type { DriftSettings, Inventory } from '../config/types.js';
import { compileJobs, type HostJob } from '../engine/compile.js';
import { KeelError, isKeelError } from '../errors.js';
import { createLogger } from '../log.js';
import { escapeTerminal } from '../report/escape.js';
import { renderText } from '../report/text.js';
import { connect } from '../transport/connect.js';
import { defaultUnitDir, installCron, installTimer, systemdProblem, systemdUnits, uninstallCron } from '../drift/install.js';
import { runDrift, type DriftOutcome } from '../drift/run-drift.js';
import { isPostgresUrl } from '../drift/history-backend.js';
import { historyLocation } from '../drift/open-history.js';
import { checkCronExpression, cronToOnCalendar, looksLikeCron, type DriftInvocation } from '../drift/schedule.js';
import { checkCronUserAccess } from '../drift/cron-access.js';
import { varsWithSecrets } from '../redact.js';
import { compileTagged, loadCommon } from './load.js';
import { checkQueueFlags } from './queue-flags.js';
import type { ModuleSet } from '../module-set.js';
import type { DriftFlags } from './drift-command.js';

export async function driftCommand(flags: DriftFlags): Promise<void> {
  // Check schedules before anything else: a typo must not cost a run.
  if (flags.every) checkCronExpression(flags.every, '--every', { allowSeconds: true });
  if (flags.installCron) checkCronExpression(flags.installCron, '--install-cron');
  const tags = parseTags(flags.tags);
  const log = createLogger(flags.logLevel, flags.logFile);
  const { inv, hosts, modules } = await loadCommon(flags);
  const stateDir = flags.stateDir ? resolve(flags.stateDir) : inv.stateDir;
  const settings = driftSettings(inv, flags);
  historyLocation({ flag: flags.history, setting: settings.history, stateDir }); // a password in the URL fails now
  const invocation: DriftInvocation = {
    node: process.execPath,
    execArgv: process.execArgv,
    script: resolve(process.argv[1]),
    inventory: resolve(flags.inventory),
    stateDir,
    limit: flags.limit,
    tags: flags.tags,
    vars: flags.var,
    forks: flags.forks,
    retentionDays: flags.retentionDays,
    metricsFile: flags.metricsFile ? resolve(flags.metricsFile) : undefined,
    history: flags.history && !isPostgresUrl(flags.history) ? resolve(flags.history) : flags.history,
    lockTimeout: flags.lockTimeout,
    logLevel: flags.logLevel,
  };
  checkQueueFlags(flags);
  if (flags.enqueue) return enqueued(flags, inv, hosts, modules, tags, settings);
  if (flags.installCron || flags.systemdTimer) refuseSecretVars(flags.var, inv);
  if (flags.installCron || flags.uninstallCron) return cronCommand(flags, invocation, modules, log);
  if (flags.systemdTimer) return timerCommand(flags, invocation);
  // Compile now: bad input fails before the first run (and before --every starts waiting).
  compileTagged(inv, hosts, modules, tags);
  if (flags.every) return everyCommand(flags, tags, stateDir, log);
  const out = await once(flags, inv, hosts, modules, tags, stateDir, settings, log, () => false);
  process.exitCode = out.exitCode;
}

/** keel drift --enqueue: the same check, run by the workers (src/queue). */
async function enqueued(flags: DriftFlags, inv: Inventory, hosts: string[], modules: ModuleSet, tags: string[], settings: DriftSettings): Promise<void> {
  const { enqueueRun, queueUrl, refuseWithEnqueue } = await import('./enqueue-action.js');
  // the worker that finishes the run applies its own inventory's drift settings
  refuseWithEnqueue(flags, inv, {
    '--every': flags.every, '--install-cron': flags.installCron, '--uninstall-cron': flags.uninstallCron, '--systemd-timer': flags.systemdTimer,
    '--state-dir': flags.stateDir, '--metrics-file': flags.metricsFile, '--retention-days': flags.retentionDays,
  });
  const url = queueUrl(flags, flags.history ?? settings.history, true);
  await enqueueRun('drift', flags, compileTagged(inv, hosts, modules, tags), url, tags);
}

async function once(flags: DriftFlags, inv: Inventory, hosts: string[], modules: ModuleSet, tags: string[], stateDir: string, settings: DriftSettings, log: Logger, interrupted: () => boolean, jobs?: HostJob[]): Promise<DriftOutcome> {
  const out = await runDrift(jobs ?? compileJobs(inv, hosts, modules, tags), {
    inventory: resolve(flags.inventory),
    limit: flags.limit,
    tags,
    forks: flags.forks,
    log,
    connect: (job) => connect(job.host.connection, { log, acceptNew: flags.acceptNew }),
    stateDir,
    history: historyLocation({ flag: flags.history, setting: settings.history, stateDir }),
    settings,
    lockTimeoutSeconds: flags.lockTimeout,
    interrupted,
    warn: (m) => process.stderr.write(`keel drift: ${m}\n`),
  });
  process.stdout.write(flags.json ? JSON.stringify(out.report, null, 2) + '\n' : renderText(out.report, { diffLines: flags.diffLines }));
  return out;
}

async function cronCommand(flags: DriftFlags, inv: DriftInvocation, modules: ModuleSet, log: Logger): Promise<void> {
  const user = flags.cronUser ?? userInfo().username;
  if (flags.uninstallCron) {
    const { name, report } = await uninstallCron(inv, user, modules, log);
    process.stdout.write(report.action === 'none' ? `no crontab entry "${name}" for ${user}: nothing to remove\n` : `removed crontab entry "${name}" for ${user}\n${escapeTerminal(report.diff ?? '')}`);
    return;
  }
  // another user's job must be able to read keel, the inventory and write the state dir
  if (process.getuid?.() === 0 && user !== userInfo().username) checkCronUserAccess(inv, user);
  const { name, report } = await installCron(inv, flags.installCron!, user, modules, log);
  const verb = report.action === 'none' ? 'already installed' : report.action === 'create' ? 'installed' : 'updated';
  process.stdout.write(`${verb}: crontab entry "${name}" for ${user}, schedule ${flags.installCron}\n${escapeTerminal(report.diff ?? '')}`);
  process.stdout.write(`output goes to ${inv.stateDir}/drift-cron.log; history: keel history -i ${inv.inventory}${flags.stateDir ? ` --state-dir ${inv.stateDir}` : ''}\n`);
}

function timerCommand(flags: DriftFlags, inv: DriftInvocation): void {
  const spec = flags.systemdTimer!;
  const onCalendar = looksLikeCron(spec) ? cronToOnCalendar(spec) : spec;
  const units = systemdUnits(inv, onCalendar, flags.cronUser);
  if (!flags.unitDir) {
    const problem = systemdProblem();
    if (problem) throw new KeelError('E_NO_SYSTEMD', problem);
  }
  const dir = flags.unitDir ? resolve(flags.unitDir) : defaultUnitDir();
  const { changed, paths } = installTimer(units, dir, !flags.unitDir);
  process.stdout.write(`${changed ? 'wrote' : 'unchanged'}: ${paths.join(', ')} (OnCalendar=${onCalendar})\n`);
  if (flags.unitDir) process.stdout.write(`not enabled (--unit-dir): copy them to /etc/systemd/system, then systemctl enable --now ${units.name}.timer\n`);
  else process.stdout.write(`enabled ${units.name}.timer; logs: journalctl -u ${units.name}.service\n`);
}

async function everyCommand(flags: DriftFlags, tags: string[], stateDir: string, log: Logger): Promise<void> {
  let stopping = false;
  let current: Promise<unknown> | undefined;
  const job = new Cron(flags.every!, { protect: true }, async () => {
    if (stopping) return;
    const run = (async () => {
      try {
        // re-read inventory and states every run: they may have been edited since
        const fresh = await loadCommon(flags);
        await once(flags, fresh.inv, fresh.hosts, fresh.modules, tags, stateDir, driftSettings(fresh.inv, flags), log, () => stopping);
      } catch (e) {
        process.stderr.write(`keel drift: run failed: ${escapeTerminal(isKeelError(e) ? e.format() : (e as Error).message)}\n`);
      }
    })();
    current = run;
    await run;
    current = undefined;
    const next = job.nextRun();
    if (next && !stopping) process.stderr.write(`keel drift: next run at ${next.toISOString()}\n`);
  });
  process.stderr.write(`keel drift: running "${flags.every}" in the foreground (first run at ${job.nextRun()?.toISOString()}); SIGINT/SIGTERM to stop\n`);
  await new Promise<void>((done) => {
    const stop = (sig: string) => {
      if (stopping) process.exit(130);
      stopping = true;
      job.stop();
      process.stderr.write(`keel drift: ${sig}: ${current ? 'finishing the run in progress, then ' : ''}stopping\n`);
      void Promise.resolve(current).then(() => done());
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
  process.exitCode = 0;
}

/** A schedule stores its --var values in the crontab or the unit: never a sensitive one. */
function refuseSecretVars(vars: string[], inv: Inventory): void {
  const secrets = [...new Set([...inv.hosts.values()].flatMap((h) => h.secrets))];
  const named = varsWithSecrets(vars, secrets);
  if (named.length === 0) return;
  throw new KeelError('E_USAGE', `--var ${named.join(', --var ')}: the value of a sensitive variable would be stored in the crontab entry or unit file`, {
    hint: 'set it in the inventory (readable only by the user the schedule runs as) instead of on the command line',
  });
}

/** The inventory's `drift:` settings, with the flags that override them. */
function driftSettings(inv: Inventory, flags: DriftFlags): DriftSettings {
  return {
    ...inv.drift,
    ...(flags.retentionDays !== undefined ? { retentionDays: flags.retentionDays } : {}),
    ...(flags.metricsFile ? { metricsFile: resolve(flags.metricsFile) } : {}),
  };
}
