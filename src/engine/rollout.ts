/**
 * Rolling batches (`--serial N|P%`, Ansible's `serial`) and the early stop
 * (`--max-fail-percentage P`): pure decisions, the loop lives in run.ts.
 */
import type { HostReport, Rollout } from '../report/types.js';

export type Serial = { hosts: number } | { percent: number };

/** Split hosts into batches; a percentage rounds down, but a batch has at least one host. */
export function serialBatches<T>(items: T[], serial: Serial | undefined): T[][] {
  if (!serial || items.length === 0) return items.length ? [items] : [];
  const size = 'hosts' in serial ? serial.hosts : Math.max(1, Math.floor((items.length * serial.percent) / 100));
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}

/** Why the rollout stops after this batch, or undefined to go on. */
export function stopReason(batch: HostReport[], maxFailPercent: number | undefined): string | undefined {
  if (maxFailPercent === undefined || batch.length === 0) return undefined;
  const bad = batch.filter((h) => h.status === 'failed' || h.status === 'unreachable');
  const pct = (bad.length * 100) / batch.length;
  if (pct <= maxFailPercent) return undefined;
  const names = bad.map((h) => `${h.host} ${h.status}`).join(', ');
  return `${bad.length} of ${batch.length} host(s) of the batch failed (${round(pct)}% > --max-fail-percentage ${maxFailPercent}): ${names}`;
}

export function rolloutReport(batches: string[][], stop?: { after: number; reason: string }): Rollout {
  if (!stop) return { batches };
  return { batches, stopped: { afterBatch: stop.after + 1, reason: stop.reason, notRun: batches.slice(stop.after + 1).flat() } };
}

const round = (n: number) => Math.round(n * 10) / 10;
