/**
 * Real readiness: a host is up when it answers SSH with its own host key *and* systemd says the
 * boot is finished (`systemctl is-system-running --wait`: running, or degraded with the failed
 * units named). No sleeps beyond a short pause between refused connections.
 */
import { KeelError } from '../src/errors.js';
import { sleep } from './exec.js';
import { labSsh, type SshTarget } from './ssh.js';

export interface Readiness {
  state: 'running' | 'degraded';
  /** Failed units when degraded: the explanation. */
  failedUnits: string[];
  /** Milliseconds from the call to readiness. */
  ms: number;
}

const CHECK = 'systemctl is-system-running --wait; echo "failed:"; systemctl --failed --no-legend --plain | cut -d" " -f1';

export async function waitUntilReady(host: string, target: SshTarget, timeoutMs = 120_000): Promise<Readiness> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
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
    await sleep(100);
  }
  throw new KeelError('E_LAB', `${host} (${target.address}) not ready after ${timeoutMs / 1000} s: ${last}`, {
    host,
    hint: 'see the host console log in <lab dir>/hosts/<name>/console.log',
  });
}
