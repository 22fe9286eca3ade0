/**
 * Real readiness: a host is up when it answers SSH with its own host key *and* systemd says the
 * boot is finished (`systemctl is-system-running --wait`: running, or degraded with the failed
 * units named). Until its sshd listens, only a TCP connect is tried (no ssh process per try: a
 * hundred booting hosts polled by ssh would take the CPU their boots need).
 */
import { KeelError } from '../src/errors.js';
import { portOpen } from './apt-proxy.js';
import { sleep } from './exec.js';
import { labSsh, type SshTarget } from './ssh.js';

export interface Readiness {
  state: 'running' | 'degraded';
  /** Failed units when degraded: the explanation. */
  failedUnits: string[];
  /** Milliseconds from the call to readiness. */
  ms: number;
}

export interface ReadinessOptions {
  /** False once the host's processes are gone: stop waiting at once. */
  running?: () => boolean;
}

const CHECK = 'systemctl is-system-running --wait; echo "failed:"; systemctl --failed --no-legend --plain | cut -d" " -f1';
const POLL_MS = 200;

export async function waitUntilReady(host: string, target: SshTarget, timeoutMs = 120_000, opts: ReadinessOptions = {}): Promise<Readiness> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  let last = 'sshd not listening yet';
  while (Date.now() < deadline) {
    if (opts.running && !opts.running()) {
      throw new KeelError('E_LAB', `${host} (${target.address}) stopped while booting: ${last}`, {
        host,
        hint: 'see the host console log in <lab dir>/hosts/<name>/console.log',
      });
    }
    if (!(await portOpen(target.address, 22))) {
      await sleep(POLL_MS);
      continue;
    }
    const left = deadline - Date.now();
    const r = await labSsh(target, CHECK, { timeoutMs: Math.max(left, 1000) });
    if (r.code === 0) {
      const [head, tail = ''] = r.stdout.split('failed:');
      const state = head.trim().split('\n').pop() ?? '';
      const failedUnits = tail.split('\n').map((s) => s.trim()).filter(Boolean);
      if (state === 'running' || state === 'degraded') {
        return { state, failedUnits, ms: Date.now() - started };
      }
      last = `systemd reports ${JSON.stringify(state)}`;
    } else {
      last = r.stderr.trim() || `ssh exit ${r.code}`;
      if (/host key verification failed|REMOTE HOST IDENTIFICATION/i.test(r.stderr)) {
        throw new KeelError('E_LAB', `${host}: host key check failed: ${last}`, { host });
      }
    }
    await sleep(POLL_MS);
  }
  throw new KeelError('E_LAB', `${host} (${target.address}) not ready after ${timeoutMs / 1000} s: ${last}`, {
    host,
    hint: 'see the host console log in <lab dir>/hosts/<name>/console.log',
  });
}
