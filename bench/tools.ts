/**
 * The three contenders, each one measured run: keel (bin/keel.js, built dist/), ansible-playbook
 * (Debian's ansible-core, bench/fixtures/ansible.cfg) and the floor (bench/floor.mjs). Each run
 * checks its exit and parses what the tool says it changed.
 */
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { measure, type Sample } from './measure.js';
import { ansibleCounts, keelCounts, type PerHost } from './reports.js';
import { controlDir, fixtures, repo, type Work } from './workdir.js';

export interface ToolRun {
  sample: Sample;
  counts: PerHost;
  /** keel only: exec round trips per host from the --json report (undefined: not reported). */
  roundTrips?: Map<string, number | undefined>;
}

/** Root, GNU time and ansible-playbook, installed with apt-get when missing. */
export function ensureTools(): void {
  if (process.getuid?.() !== 0) throw new Error('bench: run as root (the lab boots systemd-nspawn hosts)');
  const missing = [
    ['/usr/bin/time', 'time'],
    ['/usr/bin/ansible-playbook', 'ansible-core'],
  ].filter(([bin]) => !existsSync(bin!));
  if (missing.length > 0) {
    execFileSync('apt-get', ['install', '-y', ...missing.map(([, pkg]) => pkg!)], { stdio: 'inherit' });
  }
}

export function ansibleVersion(): string {
  return /core ([\d.]+)/.exec(execFileSync('ansible-playbook', ['--version'], { encoding: 'utf8' }))?.[1] ?? '?';
}

function fail(what: string, s: Sample): never {
  const tail = (s.stderr.trim() || s.stdout.trim()).split('\n').slice(-15).join('\n');
  throw new Error(`bench: ${what} exited ${s.code}:\n${tail}`);
}

export async function keel(work: Work, command: 'plan' | 'converge'): Promise<ToolRun> {
  const forks = String(Math.max(20, work.hosts.length));
  const sample = await measure('node', ['bin/keel.js', command, '-i', work.inventory, '--json', '--forks', forks], { cwd: repo });
  // plan: 0 in sync, 2 drift; converge: 0
  if (!(sample.code === 0 || (command === 'plan' && sample.code === 2))) fail(`keel ${command}`, sample);
  const { hosts, roundTrips } = keelCounts(sample.stdout);
  return { sample, counts: hosts, roundTrips };
}

let ansibleRuns = 0;

export async function ansible(work: Work, mode: 'apply' | 'check'): Promise<ToolRun> {
  const cp = controlDir(++ansibleRuns);
  const env = {
    ...process.env,
    ANSIBLE_CONFIG: join(fixtures, 'ansible.cfg'),
    ANSIBLE_SSH_CONTROL_PATH_DIR: cp,
    ANSIBLE_NOCOLOR: '1',
  };
  const args = ['-i', work.hostsIni, '--forks', String(Math.max(50, work.hosts.length)), join(fixtures, 'site.yml')];
  if (mode === 'check') args.push('--check', '--diff');
  const sample = await measure('ansible-playbook', args, { cwd: fixtures, env, marker: cp });
  if (sample.code !== 0) fail(`ansible-playbook${mode === 'check' ? ' --check --diff' : ''}`, sample);
  return { sample, counts: ansibleCounts(sample.stdout).hosts };
}

export async function floor(work: Work): Promise<ToolRun> {
  const sample = await measure('node', [join(repo, 'bench', 'floor.mjs'), work.floorConfig], { cwd: repo });
  if (sample.code !== 0) fail('the floor', sample);
  const hosts = (JSON.parse(sample.stdout) as { hosts: number }).hosts;
  if (hosts !== work.hosts.length) throw new Error(`bench: the floor probed ${hosts} of ${work.hosts.length} hosts`);
  return { sample, counts: new Map() };
}
