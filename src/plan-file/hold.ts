/** A saved plan as the engine sees it (PlanPin): record each host's pins, or hold converge to them. */
import type { PlanPin } from '../engine/run-host.js';
import type { HostPlan } from '../engine/plan-host.js';
import { pinDifferences, pinHost, planSecrets, type PinnedHost } from './pin.js';

/** Plan: each host's pins land in `hosts` as it is planned, and what the file must not hold of it in `secrets`. */
export function recordPins(salt: string): { pin: PlanPin; hosts: Record<string, PinnedHost>; secrets: Map<string, string[]> } {
  const hosts: Record<string, PinnedHost> = {};
  const secrets = new Map<string, string[]>();
  const record = (host: string, plan: HostPlan) => {
    const own = planSecrets(plan.job);
    secrets.set(host, own);
    hosts[host] = pinHost(plan, salt, own);
  };
  return { hosts, secrets, pin: { record } };
}

/** Shown of a refusal's differences at most; the rest counted. */
const SHOWN = 20;

/** Converge: a host applies only when its plan now is the one `hosts` pinned; `name` says which plan ("plan.keel"). */
export function holdTo(hosts: Readonly<Record<string, PinnedHost>>, salt: string, name: string): PlanPin {
  return {
    check(host, plan) {
      const saved = Object.hasOwn(hosts, host) ? hosts[host] : undefined;
      if (!saved) return `nothing applied: ${name} has no plan for this host (it was unreachable or failed when planned): plan again`;
      if (saved.failed) return `nothing applied: its plan (${name}) has errors: fix them and plan again`;
      const diffs = pinDifferences(saved, pinHost(plan, salt));
      if (diffs.length === 0) return undefined;
      const shown = diffs.slice(0, SHOWN).map((d) => `  - ${d}`);
      if (diffs.length > SHOWN) shown.push(`  ... and ${diffs.length - SHOWN} more`);
      return [`nothing applied: this host is no longer as ${name} planned it (plan again and review it):`, ...shown].join('\n');
    },
  };
}
