/**
 * keel plan / converge: compile everything first (no host touched on bad input), then run.
 * `plan --out FILE` saves the plan; `converge FILE` applies exactly it (src/plan-file); converge on
 * a terminal shows the plan and asks first (`--yes`, a non-terminal or --json do not ask).
 */
import { isAbsolute, relative, resolve } from 'node:path';
import { parseTags } from '../config/index.js';
import type { HostJob } from '../engine/compile.js';
import { exitCode } from '../engine/exit-code.js';
import { runJobs } from '../engine/run.js';
import type { PlanPin } from '../engine/run-host.js';
import type { Serial } from '../engine/rollout.js';
import { DEFAULT_LOCK_TIMEOUT_SECONDS, type LockSettings } from '../engine/remote-lock.js';
import { UsageError } from '../errors.js';
import { createLogger } from '../log.js';
import { holdTo, recordPins } from '../plan-file/hold.js';
import { PLAN_FORMAT, PLAN_VERSION, convergeVars, newSalt, readSavedPlan, savedVars, writeSavedPlan } from '../plan-file/saved-plan.js';
import { redactSecrets } from '../redact.js';
import { escapeTerminalLine } from '../report/escape.js';
import { renderText } from '../report/text.js';
import type { RunReport } from '../report/types.js';
import { connect } from '../transport/connect.js';
import { KEEL_VERSION } from '../version.js';
import { compileTagged, loadCommon, type CommonFlags } from './load.js';
import { progressMode, startProgress } from './progress.js';
import { checkQueueFlags } from './queue-flags.js';
import type { EnqueueFlags } from './enqueue-action.js';
import { askLine, promptPassphrase } from './prompt.js';

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
  /** plan: save the plan to this file. */
  out?: string;
  /** converge: do not ask on a terminal. */
  yes?: boolean;
  /** No progress on standard error. */
  quiet?: boolean;
}

/** The host lock of a run, and what a run that has to wait for it is told (`say`: a line on stderr). */
export function runLock(command: string, flags: RunFlags, say: (line: string) => void = (line) => void process.stderr.write(`${line}\n`)): LockSettings {
  return {
    timeoutSeconds: flags.lockTimeout ?? DEFAULT_LOCK_TIMEOUT_SECONDS,
    command: `keel ${command} -i ${flags.inventory}${flags.limit ? ` -l ${flags.limit}` : ''}`,
    onWait: (host, holder) => say(`${escapeTerminalLine(host)}: waiting up to ${flags.lockTimeout ?? DEFAULT_LOCK_TIMEOUT_SECONDS} s for the host lock held by ${escapeTerminalLine(holder)}`),
  };
}

/** `explicit`: the flags given on the command line (a saved plan refuses -i, -l, -t beside it). */
export async function runCommand(command: RunReport['command'], flags: RunFlags, planFile?: string, explicit: string[] = []): Promise<void> {
  const queued = flags as RunFlags & EnqueueFlags;
  checkQueueFlags(queued);
  if (planFile !== undefined) {
    if (queued.enqueue) throw new UsageError(`a saved plan with --enqueue: keel converge ${planFile} runs here`, { hint: 'leave out --enqueue, or enqueue the converge without the plan file' });
    return convergeSaved(planFile, flags, explicit);
  }
  const { jobs, inv, tags } = await compileFor(flags);
  if (queued.enqueue) {
    const { enqueueRun, queueUrl, refuseWithEnqueue } = await import('./enqueue-action.js');
    refuseWithEnqueue(queued, inv);
    return enqueueRun('converge', queued, jobs, queueUrl(queued, inv.drift?.history, false), tags);
  }
  const ask = command === 'converge' && !flags.yes && !flags.json && !!process.stdin.isTTY && !!process.stdout.isTTY;
  if (ask) return convergeAsked(flags, jobs);
  if (command === 'plan' && flags.out) return planSaved(flags, jobs);
  finish(await execute(command, flags, jobs), flags);
}

async function compileFor(flags: RunFlags) {
  const tags = parseTags(flags.tags);
  const { inv, hosts, modules } = await loadCommon(flags);
  return { jobs: compileTagged(inv, hosts, modules, tags), inv, tags };
}

/** One run over `jobs`; the first Ctrl-C lets the step in flight finish and starts nothing new. */
async function execute(command: RunReport['command'], flags: RunFlags, jobs: HostJob[], pin?: PlanPin): Promise<{ report: RunReport; interrupted: boolean }> {
  const log = createLogger(flags.logLevel, flags.logFile);
  const progress = await startProgress(progressMode(flags), command, jobs.map((j) => j.host.name));
  // a passphrase is asked with the live lines out of the way
  const ask = promptPassphrase && ((identity: string) => progress.around(() => promptPassphrase!(identity)));
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    progress.say('interrupted: finishing the step in flight, skipping the rest (Ctrl-C again to abort)');
  };
  process.on('SIGINT', onSigint);
  try {
    const report = await runJobs(jobs, {
      command,
      forks: flags.forks,
      log,
      connect: (job: HostJob) => connect(job.host.connection, { log, acceptNew: flags.acceptNew, promptPassphrase: ask }),
      interrupted: () => interrupted,
      lock: command === 'converge' ? runLock(command, flags, (line) => progress.say(line)) : undefined,
      serial: flags.serial,
      maxFailPercent: flags.maxFailPercentage,
      pin,
      progress: (e) => progress.event(e),
      onHost: (r) => progress.host(r),
    });
    return { report, interrupted };
  } finally {
    progress.stop();
    process.off('SIGINT', onSigint);
  }
}

function print(report: RunReport, flags: RunFlags): void {
  process.stdout.write(flags.json ? JSON.stringify(report, null, 2) + '\n' : renderText(report, { diffLines: flags.diffLines }));
}

/**
 * A plan printed as keel plan prints it (and as the plan file keeps it: every secret of a host,
 * its sensitive fields' values too, redacted), each host's pins recorded (to save, or to hold a
 * converge to). Never in batches: --serial is for applying.
 */
async function pinnedPlan(flags: RunFlags, jobs: HostJob[]) {
  const salt = newSalt();
  const pins = recordPins(salt);
  const run = await execute('plan', { ...flags, serial: undefined, maxFailPercentage: undefined }, jobs, pins.pin);
  run.report.hosts = run.report.hosts.map((h) => redactSecrets(h, pins.secrets.get(h.host) ?? []));
  print(run.report, flags);
  return { run, salt, hosts: pins.hosts, secrets: [...new Set([...pins.secrets.values()].flat())] };
}

/** The report printed, the exit code set (130 after Ctrl-C). */
function finish(run: { report: RunReport; interrupted: boolean }, flags: RunFlags): void {
  print(run.report, flags);
  process.exitCode = run.interrupted ? 130 : exitCode(run.report, flags.detailedExitcode);
}

/** keel plan --out FILE: the plan as `keel plan` prints it, and saved for `keel converge FILE`. */
async function planSaved(flags: RunFlags, jobs: HostJob[]): Promise<void> {
  const { run, salt, hosts, secrets } = await pinnedPlan(flags, jobs);
  if (run.interrupted) {
    process.stderr.write(`interrupted: no plan saved to ${flags.out}\n`);
    process.exitCode = 130;
    return;
  }
  writeSavedPlan(flags.out!, {
    format: PLAN_FORMAT,
    version: PLAN_VERSION,
    keel: KEEL_VERSION,
    createdAt: run.report.startedAt,
    inventory: resolve(flags.inventory),
    ...(flags.limit !== undefined ? { limit: flags.limit } : {}),
    ...(flags.tags !== undefined ? { tags: flags.tags } : {}),
    // a --var of a sensitive_vars name, or one whose value a sensitive field took, is saved by name only
    vars: savedVars(flags.var, [...new Set([...secrets, ...jobs.flatMap((j) => j.host.secrets)])]),
    salt,
    hosts,
    report: run.report,
  });
  const say = `Saved the plan to ${flags.out}: keel converge ${flags.out} applies exactly it (keel show ${flags.out} prints it again).\n`;
  if (flags.json) process.stderr.write(say);
  else process.stdout.write(`\n${say}`);
  process.exitCode = exitCode(run.report);
}

/** keel converge FILE: the saved plan's inventory, hosts, tags and vars; a host no longer as planned applies nothing. */
async function convergeSaved(file: string, flags: RunFlags, explicit: string[]): Promise<void> {
  const plan = readSavedPlan(file);
  const clash = explicit.filter((f) => ['inventory', 'limit', 'tags'].includes(f));
  if (clash.length) throw new UsageError(`${clash.map((f) => `--${f}`).join(', ')} with a saved plan: ${file} carries its own inventory, --limit and --tags`, { hint: `keel converge ${file} alone; to change them, plan again` });
  const saved: RunFlags = { ...flags, inventory: shortPath(plan.inventory), limit: plan.limit, tags: plan.tags, var: convergeVars(plan, flags.var, file) };
  const { jobs } = await compileFor(saved);
  const planned = plan.report.hosts.map((h) => h.host);
  const now = new Set(jobs.map((j) => j.host.name));
  const gone = planned.filter((h) => !now.has(h));
  if (gone.length) throw new UsageError(`${file} plans ${gone.length === 1 ? 'host' : 'hosts'} ${gone.join(', ')}, no longer in the inventory or no longer matched by --limit ${plan.limit ?? ''}`.trimEnd(), { hint: 'plan again' });
  const mine = jobs.filter((j) => planned.includes(j.host.name));
  finish(await execute('converge', saved, mine, holdTo(plan.hosts, plan.salt, file)), flags);
}

/** converge on a terminal: plan, show it, ask; on "yes" apply exactly what was shown. */
async function convergeAsked(flags: RunFlags, jobs: HostJob[]): Promise<void> {
  const { run: planned, salt, hosts } = await pinnedPlan(flags, jobs);
  if (planned.interrupted) {
    process.exitCode = 130;
    return;
  }
  if (planned.report.hosts.every((h) => h.status === 'in-sync')) {
    process.stdout.write('\nNothing to converge: every host is in sync.\n');
    return;
  }
  const answer = await askLine('\nConverge as planned above? Only "yes" is accepted (keel converge --yes does not ask): ');
  if (answer.trim() !== 'yes') {
    process.stdout.write('Converge cancelled: nothing applied.\n');
    process.exitCode = 1;
    return;
  }
  finish(await execute('converge', flags, jobs, holdTo(hosts, salt, 'the plan shown')), flags);
}

/** A path below the working directory as a relative one (how the report names the state files), any other as it is. */
function shortPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
