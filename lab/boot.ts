/**
 * Bring a lab's hosts up: at most `concurrency` hosts boot at once (a systemd boot is CPU-bound,
 * and 200 of them at once on two cores all miss their deadline), each host's readiness deadline
 * counts from its own boot, a host that does not come up is booted again, and one that still
 * fails is reported by name once every other host is up. Progress goes to `log` every few seconds.
 */
import pLimit from 'p-limit';
import { KeelError } from '../src/errors.js';
import { type HostSpec, startHost } from './host.js';
import { type Readiness, waitUntilReady } from './readiness.js';
import type { SshTarget } from './ssh.js';
import { supervisorPid } from './supervisor.js';
import type { LabHost } from './types.js';

export interface BootPlan {
  spec: HostSpec;
  /** True when the host runs already: only its readiness is checked (and it is rebooted if not ready). */
  running: boolean;
}

export interface BootOptions {
  concurrency: number;
  attempts: number;
  readyTimeoutMs: number;
  target: (address: string) => SshTarget;
  log: (message: string) => void;
}

interface Progress {
  ready: number;
  booting: number;
}

const PROGRESS_EVERY_MS = 5_000;

async function bootOne(plan: BootPlan, o: BootOptions, limit: ReturnType<typeof pLimit>, p: Progress): Promise<LabHost> {
  const { name, address, hostDir } = plan.spec;
  // the supervisor ends when nspawn exits for good (it restarts it on a reboot): then stop waiting
  const ready = (): Promise<Readiness> =>
    waitUntilReady(name, o.target(address), o.readyTimeoutMs, { running: () => supervisorPid(hostDir) !== undefined });
  const done = (r: Readiness, booted: boolean, started: number): LabHost => {
    p.ready++;
    if (r.state === 'degraded') o.log(`${name} is degraded: failed units ${r.failedUnits.join(', ')}`);
    return {
      name,
      address,
      alive: true,
      systemState: r.state,
      failedUnits: r.failedUnits,
      booted,
      ...(booted ? { readyMs: Date.now() - started } : {}),
    };
  };
  if (plan.running) {
    const started = Date.now();
    try {
      return done(await ready(), false, started);
    } catch (e) {
      o.log(`${name} runs but is not ready (${(e as Error).message}): booting it again`);
    }
  }
  return limit(async () => {
    let last: unknown;
    for (let attempt = 1; attempt <= o.attempts; attempt++) {
      const started = Date.now();
      p.booting++;
      try {
        await startHost(plan.spec);
        return done(await ready(), true, started);
      } catch (e) {
        last = e;
        const next = attempt < o.attempts ? `booting it again (attempt ${attempt + 1} of ${o.attempts})` : 'giving up';
        o.log(`${name} did not come up on attempt ${attempt}: ${(e as Error).message}; ${next}`);
      } finally {
        p.booting--;
      }
    }
    throw last;
  });
}

/** Boot (or check) every planned host; throws naming each host that did not come up. */
export async function bootHosts(plans: BootPlan[], o: BootOptions): Promise<LabHost[]> {
  const limit = pLimit(Math.max(1, o.concurrency));
  const p: Progress = { ready: 0, booting: 0 };
  const toBoot = plans.filter((h) => !h.running).length;
  const t0 = Date.now();
  if (toBoot > 0) o.log(`booting ${toBoot} host(s), ${Math.min(toBoot, o.concurrency)} at a time; ${plans.length - toBoot} already up`);
  let shown = -1;
  const tick = setInterval(() => {
    if (p.ready === shown) return;
    shown = p.ready;
    o.log(`${p.ready}/${plans.length} ready, ${p.booting} booting (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }, PROGRESS_EVERY_MS);
  try {
    const results = await Promise.allSettled(plans.map((plan) => bootOne(plan, o, limit, p)));
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [{ name: plans[i].spec.name, error: r.reason as Error }] : []));
    if (failed.length > 0) {
      throw new KeelError('E_LAB', `${failed.length} of ${plans.length} lab host(s) did not come up: ${failed.map((f) => `${f.name} (${f.error.message})`).join('; ')}`, {
        cause: failed[0].error,
        hint: `each host's console log is <lab dir>/hosts/<name>/console.log; the others are up (keel lab down removes them)`,
      });
    }
    return results.map((r) => (r as PromiseFulfilledResult<LabHost>).value);
  } finally {
    clearInterval(tick);
  }
}
