/** Tiny RunReport builders for the drift unit tests. */
import type { HostReport, ResourceReport, RunReport } from '../report/types.js';

export const inSync = (id: string): ResourceReport => ({ id, type: id.split(':')[0], name: id.slice(id.indexOf(':') + 1), source: 's.yaml:1', action: 'none', changes: [], status: 'ok' });
export const drifted = (id: string, changes = [{ field: 'mode', from: '0600', to: '0644' }], diff?: string): ResourceReport => ({
  ...inSync(id),
  action: 'update',
  changes,
  status: 'planned',
  ...(diff ? { diff } : {}),
});
export const failedRes = (id: string): ResourceReport => ({ ...inSync(id), status: 'failed', error: 'probe failed' });

export function host(name: string, resources: ResourceReport[], status?: HostReport['status'], error?: string): HostReport {
  const changed = resources.filter((r) => r.status === 'planned' && r.action !== 'none').length;
  const failed = resources.filter((r) => r.status === 'failed').length;
  return {
    host: name,
    status: status ?? (failed ? 'failed' : changed ? 'drift' : 'in-sync'),
    durationMs: 10,
    resources,
    summary: { ok: resources.length - changed - failed, changed, failed, skipped: 0, uncertain: 0 },
    ...(error ? { error } : {}),
  };
}

export function run(at: string, hosts: HostReport[]): RunReport {
  return {
    command: 'drift',
    startedAt: at,
    durationMs: 1000,
    hosts,
    summary: {
      hosts: hosts.length,
      drifted: hosts.filter((h) => h.status === 'drift').length,
      changed: 0,
      failed: hosts.filter((h) => h.status === 'failed').length,
      unreachable: hosts.filter((h) => h.status === 'unreachable').length,
    },
  };
}
