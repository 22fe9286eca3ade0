/**
 * Installing the schedule on the controller. The crontab entry is one `cron` resource converged
 * through keel's own engine and the local transport (the cron module's idempotent edit of one
 * named entry); the systemd timer is two unit files and systemctl, only where systemd runs.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import type { Logger } from 'pino';
import { writeFileAtomic } from '../atomic-write.js';
import type { HostConfig, Resource } from '../config/types.js';
import { KeelError } from '../errors.js';
import { buildGraph } from '../graph/build.js';
import { runJobs } from '../engine/run.js';
import type { ModuleSet } from '../module-set.js';
import type { ResourceReport } from '../report/types.js';
import { LocalTransport } from '../transport/local.js';
import { cronEntryName, cronJobLine, systemdUnits, type DriftInvocation, type TimerUnits } from './schedule.js';

const CONTROLLER: HostConfig = {
  name: 'controller',
  connection: { host: 'controller', connection: 'local', address: 'localhost', port: 22, user: 'root', become: false },
  vars: {},
  states: [],
  groups: [],
  after: [],
  secrets: [],
};

/** Converge one cron resource on this machine; returns its report (action none = already so). */
export async function convergeCronEntry(spec: { name: string; user: string; schedule?: string; job?: string; state: 'present' | 'absent' }, modules: ModuleSet, log: Logger): Promise<ResourceReport> {
  const mod = modules.get('cron');
  if (!mod) throw new KeelError('E_INTERNAL', 'the cron module is not in the module set');
  const base: Resource = {
    id: `cron:${spec.name}`,
    kind: 'cron',
    name: spec.name,
    spec: { ...spec },
    require: [],
    before: [],
    watch: [],
    notify: [],
    tags: [],
    pos: { file: 'keel drift', line: 1, column: 1 },
    stateDir: process.cwd(),
    index: 0,
  };
  const resource = { ...base, spec: mod.prepare ? mod.prepare(base.spec, undefined as never) : base.spec };
  const graph = buildGraph([resource]);
  const report = await runJobs([{ host: CONTROLLER, modules, resources: [resource], graph, selected: new Set([resource.id]) }], {
    command: 'converge',
    forks: 1,
    log,
    connect: async () => new LocalTransport('controller'),
  });
  const host = report.hosts[0];
  const r = host.resources[0];
  if (host.status === 'failed' || host.status === 'unreachable' || !r || r.status === 'failed') {
    throw new KeelError('E_CRON', `cannot ${spec.state === 'absent' ? 'remove' : 'install'} the crontab entry for ${spec.user}: ${r?.error ?? host.error ?? 'unknown error'}`);
  }
  return r;
}

export async function installCron(inv: DriftInvocation, schedule: string, user: string, modules: ModuleSet, log: Logger): Promise<{ name: string; line: string; report: ResourceReport }> {
  const name = cronEntryName(inv);
  const line = cronJobLine(inv);
  const report = await convergeCronEntry({ name, user, schedule, job: line, state: 'present' }, modules, log);
  return { name, line, report };
}

export async function uninstallCron(inv: DriftInvocation, user: string, modules: ModuleSet, log: Logger): Promise<{ name: string; report: ResourceReport }> {
  const name = cronEntryName(inv);
  return { name, report: await convergeCronEntry({ name, user, state: 'absent' }, modules, log) };
}

/** Why systemd cannot be used here, or undefined when it runs as PID 1 (sd_booted()'s test). */
export function systemdProblem(): string | undefined {
  if (existsSync('/run/systemd/system')) return undefined;
  let pid1 = 'unknown';
  try {
    pid1 = readFileSync('/proc/1/comm', 'utf8').trim();
  } catch {
    /* not Linux */
  }
  return `systemd is not running on this machine (PID 1 is ${JSON.stringify(pid1)}): use --install-cron, or --every in the foreground, or --unit-dir DIR to only write the unit files`;
}

/** Where units go: /etc/systemd/system for root, ~/.config/systemd/user otherwise. */
export function defaultUnitDir(): string {
  return process.getuid?.() === 0 ? '/etc/systemd/system' : join(homedir(), '.config', 'systemd', 'user');
}

/**
 * Write the units; with `enable`, reload systemd and start the timer. Returns what was written
 * and whether anything changed (same contents: nothing is rewritten).
 */
export function installTimer(units: TimerUnits, dir: string, enable: boolean): { changed: boolean; paths: string[] } {
  mkdirSync(dir, { recursive: true });
  const paths: string[] = [];
  let changed = false;
  for (const [suffix, text] of [['service', units.service], ['timer', units.timer]] as const) {
    const path = join(dir, `${units.name}.${suffix}`);
    paths.push(path);
    const old = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    if (old !== text) {
      // 0600: the units hold the run's command line (its --var values among it)
      writeFileAtomic(path, text);
      changed = true;
    }
  }
  if (enable) {
    const user = process.getuid?.() === 0 ? [] : ['--user'];
    execFileSync('systemctl', [...user, 'daemon-reload'], { stdio: 'inherit' });
    execFileSync('systemctl', [...user, 'enable', '--now', `${units.name}.timer`], { stdio: 'inherit' });
  }
  return { changed, paths };
}

export { systemdUnits };
