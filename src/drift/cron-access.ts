/**
 * Before a crontab entry is installed for another user: can that user run what it will run? The
 * job runs keel as the cron user, who must reach and read keel itself (node, its flags' files,
 * the entry script and its package), the inventory, and write the state dir. A checkout under
 * /root or a 0700 directory fails that; the job would then fail every run, silently, in a log.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KeelError } from '../errors.js';
import { shq } from '../shell.js';
import type { DriftInvocation } from './schedule.js';

/** The checks, as sh: each failing one prints what the user cannot do. */
export function accessChecks(inv: DriftInvocation): string {
  const files = [inv.script, ...inv.execArgv.filter((a) => a.startsWith('file:')).map((a) => fileURLToPath(a)), inv.inventory];
  const lines = [`test -x ${shq(inv.node)} || echo ${shq(`run ${inv.node}`)}`];
  for (const f of files) lines.push(`test -r ${shq(f)} || echo ${shq(`read ${f}`)}`);
  lines.push(`test -r ${shq(dirname(inv.inventory))} -a -x ${shq(dirname(inv.inventory))} || echo ${shq(`list ${dirname(inv.inventory)} (the states beside the inventory)`)}`);
  const writable = nearestExisting(inv.stateDir);
  lines.push(`test -w ${shq(writable)} -a -x ${shq(writable)} || echo ${shq(`write ${writable} (the state dir${writable === inv.stateDir ? '' : `'s parent: ${inv.stateDir} does not exist yet`})`)}`);
  return lines.join('\n');
}

function nearestExisting(path: string): string {
  let p = path;
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return p;
}

/** Refuse, naming every problem, when `user` could not run the job (run as root only). */
export function checkCronUserAccess(inv: DriftInvocation, user: string): void {
  let out: string;
  try {
    out = execFileSync('su', ['-s', '/bin/sh', '-c', accessChecks(inv), user], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw new KeelError('E_CRON_USER', `cannot check what ${user} can read: ${(e as Error).message}`, { cause: e });
  }
  const problems = out.split('\n').filter(Boolean);
  if (problems.length === 0) return;
  throw new KeelError('E_CRON_USER', `the cron job would run keel as ${user}, who cannot ${problems.join('; cannot ')}: nothing was installed`, {
    hint: `install keel where ${user} can read it (npm install -g, or a copy under /opt or /srv), and keep the inventory readable and the state dir (--state-dir) writable by ${user}`,
  });
}
