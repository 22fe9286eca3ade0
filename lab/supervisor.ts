/**
 * One small detached `sh` per host that joins the host's cgroups, runs systemd-nspawn, and starts
 * it again when the host reboots (nspawn exits 133). Any other exit ends the supervisor: the host
 * is down. The script takes every value as a positional argument, so nothing is interpolated.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KeelError } from '../src/errors.js';
import { isAlive, procArgv, readPidFile } from '../src/proc.js';

export const SUPERVISOR_TAG = 'keel-lab-supervisor';

const SCRIPT = `
name=$1 netns=$2 root=$3 state=$4
shift 4
for cg in "$@"; do
  echo $$ > "$cg/cgroup.procs" || { echo "$name: cannot join cgroup $cg" >&2; exit 97; }
done
child=
trap 'touch "$state/stop"; [ -n "$child" ] && kill -TERM "$child" 2>/dev/null' TERM INT HUP
while [ ! -e "$state/stop" ]; do
  systemd-nspawn --quiet --boot --register=no --keep-unit --console=passive --link-journal=no \\
    --resolv-conf=off --network-namespace-path="$netns" -D "$root" -M "$name" </dev/null &
  child=$!
  echo "$child" > "$state/nspawn.pid"
  wait "$child"; rc=$?
  while kill -0 "$child" 2>/dev/null; do wait "$child"; rc=$?; done
  child=
  echo "$(date '+%F %T') $name: systemd-nspawn exited $rc" >&2
  [ "$rc" -eq 133 ] || break
done
rm -f "$state/nspawn.pid"
`;

export interface SupervisorSpec {
  name: string;
  netnsPath: string;
  rootDir: string;
  /** Directory for pid files, the stop marker and the console log. */
  stateDir: string;
  cgroupDirs: string[];
}

const pidFile = (stateDir: string) => join(stateDir, 'supervisor.pid');

export function startSupervisor(spec: SupervisorSpec): number {
  rmSync(join(spec.stateDir, 'stop'), { force: true });
  const log = openSync(join(spec.stateDir, 'console.log'), 'a');
  const child = spawn(
    'sh',
    ['-c', SCRIPT, SUPERVISOR_TAG, spec.name, spec.netnsPath, spec.rootDir, spec.stateDir, ...spec.cgroupDirs],
    { detached: true, stdio: ['ignore', log, log] },
  );
  closeSync(log);
  child.unref();
  if (child.pid === undefined) throw new KeelError('E_LAB', `cannot start the supervisor of ${spec.name}`);
  // the pid file is written here, not by the script, so it exists as soon as we return
  writeFileSync(pidFile(spec.stateDir), `${child.pid}\n`);
  return child.pid;
}

/** The supervisor's pid when it is running (and really ours), else undefined. */
export function supervisorPid(stateDir: string): number | undefined {
  const pid = readPidFile(pidFile(stateDir));
  if (pid === undefined || !isAlive(pid)) return undefined;
  return procArgv(pid).includes(SUPERVISOR_TAG) ? pid : undefined;
}

/** The running systemd-nspawn of the host, if any. */
export function nspawnPid(stateDir: string): number | undefined {
  const pid = readPidFile(join(stateDir, 'nspawn.pid'));
  if (pid === undefined || !isAlive(pid)) return undefined;
  return procArgv(pid)[0]?.endsWith('systemd-nspawn') ? pid : undefined;
}

/** Ask the supervisor to stop: it marks the stop file and sends nspawn SIGTERM (a clean poweroff). */
export function signalSupervisorStop(stateDir: string): void {
  writeFileSync(join(stateDir, 'stop'), '');
  const pid = supervisorPid(stateDir);
  try {
    if (pid !== undefined) process.kill(pid, 'SIGTERM');
  } catch {
    // it just exited
  }
}
