/**
 * What each tool says it changed (or would change), per host: keel's --json report and
 * ansible-playbook's default output. Handlers (Ansible) and refresh-only entries (keel: a
 * resource in sync that a watch will restart) are not counted: both tools count a resource
 * whose own state differs.
 */

export interface HostCounts {
  /** Resources (keel) or tasks (Ansible) that changed or would change. */
  changed: number;
  failed: number;
  /** Their names, for the message when the two tools disagree. */
  names: string[];
}

export type PerHost = Map<string, HostCounts>;

interface KeelResource {
  id: string;
  action: string;
  status: string;
}
interface KeelHost {
  host: string;
  status: string;
  resources?: KeelResource[];
  error?: unknown;
  round_trips?: number;
  roundTrips?: number;
}

/** Parse `keel plan|converge --json`: per host, resources whose action is not none. */
export function keelCounts(json: string): { hosts: PerHost; roundTrips: Map<string, number | undefined> } {
  const report = JSON.parse(json) as { hosts: KeelHost[] };
  const hosts: PerHost = new Map();
  const roundTrips = new Map<string, number | undefined>();
  for (const h of report.hosts) {
    const rs = h.resources ?? [];
    const changed = rs.filter((r) => r.action !== 'none');
    const failed = rs.filter((r) => r.status === 'failed').length + (h.status === 'failed' || h.status === 'unreachable' ? 1 : 0);
    hosts.set(h.host, { changed: changed.length, failed, names: changed.map((r) => r.id) });
    roundTrips.set(h.host, h.round_trips ?? h.roundTrips);
  }
  return { hosts, roundTrips };
}

const HEADER = /^(TASK|RUNNING HANDLER) \[(.*)\] \*+$/;
const RESULT = /^(changed|ok|skipping|fatal|failed): \[([^\]]+)\]/;
const RECAP = /^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/;

/** Parse ansible-playbook's default output: per host, tasks (not handlers) reported changed. */
export function ansibleCounts(stdout: string): { hosts: PerHost; recapChanged: Map<string, number> } {
  const hosts: PerHost = new Map();
  const recapChanged = new Map<string, number>();
  const of = (h: string) => {
    let c = hosts.get(h);
    if (!c) hosts.set(h, (c = { changed: 0, failed: 0, names: [] }));
    return c;
  };
  let section: { kind: string; name: string } | undefined;
  let inRecap = false;
  for (const line of stdout.split('\n')) {
    const head = HEADER.exec(line);
    if (head) {
      section = { kind: head[1]!, name: head[2]! };
      continue;
    }
    if (line.startsWith('PLAY RECAP')) inRecap = true;
    const recap = inRecap ? RECAP.exec(line) : null;
    if (recap) {
      const c = of(recap[1]!);
      recapChanged.set(recap[1]!, Number(recap[3]));
      c.failed = Math.max(c.failed, Number(recap[4]) + Number(recap[5]));
      continue;
    }
    const res = RESULT.exec(line);
    if (!res || !section) continue;
    const c = of(res[2]!);
    if (res[1] === 'fatal' || res[1] === 'failed') c.failed++;
    if (res[1] === 'changed' && section.kind === 'TASK') {
      c.changed++;
      c.names.push(section.name);
    }
  }
  return { hosts, recapChanged };
}

const show = (m: PerHost) =>
  [...m.entries()]
    .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
    .map(([h, c]) => `${h}: ${c.changed} [${c.names.join(', ')}]`)
    .join('; ');

/**
 * Throws unless every host of `expected` has exactly that many changes in both reports, no host
 * failed, and neither report names a host that is not expected.
 */
export function requireSameChanges(what: string, expected: Map<string, number>, reports: Record<string, PerHost>): void {
  const problems: string[] = [];
  for (const [tool, m] of Object.entries(reports)) {
    for (const [host, want] of expected) {
      const got = m.get(host);
      if (!got) problems.push(`${tool} reported nothing for ${host}`);
      else if (got.failed > 0) problems.push(`${tool}: ${host} failed`);
      else if (got.changed !== want) problems.push(`${tool}: ${host} has ${got.changed} changes, expected ${want}`);
    }
    for (const host of m.keys()) if (!expected.has(host)) problems.push(`${tool} reported unknown host ${host}`);
  }
  if (problems.length > 0) {
    const detail = Object.entries(reports).map(([tool, m]) => `  ${tool}: ${show(m)}`).join('\n');
    throw new Error(`bench: ${what}: the tools disagree with the expected changes:\n  ${problems.join('\n  ')}\n${detail}`);
  }
}
