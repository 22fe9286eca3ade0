/**
 * Exit codes. plan/drift: 0 in sync, 2 drift, 1 error (as Terraform). converge: 0 ok, 1 failure;
 * with --detailed-exitcode a bitmask: 2 changed, 4 failed, 8 unreachable.
 */
import type { RunReport } from '../report/types.js';

export function exitCode(report: RunReport, detailed = false): number {
  const s = report.summary;
  if (report.command !== 'converge') {
    if (s.failed > 0 || s.unreachable > 0) return 1;
    return s.drifted > 0 ? 2 : 0;
  }
  if (!detailed) return s.failed > 0 || s.unreachable > 0 ? 1 : 0;
  const changed = report.hosts.some((h) => h.summary.changed > 0);
  return (changed ? 2 : 0) | (s.failed > 0 ? 4 : 0) | (s.unreachable > 0 ? 8 : 0);
}
