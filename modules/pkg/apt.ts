/**
 * apt/dpkg: probe with dpkg-query (and apt-cache policy for a candidate), change with one
 * apt-get transaction. Command builders are pure and return argv so tests can assert them exactly.
 */
import { shargs, shq } from '../../src/shell.js';
import type { PkgOp, PkgProvider, PkgQuery, PkgState } from './provider.js';

/** Wait this long for another apt/dpkg (unattended-upgrades) to release its lock. */
export const LOCK_TIMEOUT_SEC = 300;

const APT_OPTIONS = [
  '-y',
  '-q',
  '-o',
  `DPkg::Lock::Timeout=${LOCK_TIMEOUT_SEC}`,
  // Keep locally modified conffiles and never ask: a prompt would hang a non-interactive run.
  '-o',
  'Dpkg::Options::=--force-confdef',
  '-o',
  'Dpkg::Options::=--force-confold',
];

/** dpkg states of a package that is fully in place (triggers still pending count as installed). */
const INSTALLED = new Set(['installed', 'triggers-awaiting', 'triggers-pending']);
/** dpkg states of a package that is not there (config-files: removed, conffiles left). */
const NOT_INSTALLED = new Set(['not-installed', 'config-files']);

/** `name=version` to install, `name-` to remove inside the same `apt-get install`. */
function target(op: PkgOp): string {
  if (op.op === 'remove') return `${op.name}-`;
  return op.version !== undefined ? `${op.name}=${op.version}` : op.name;
}

/**
 * argv of the one apt-get command for all ops. Installs and removals go into ONE transaction
 * (`apt-get install a b=1.2 c-`) so apt resolves them together: removing one mail server while
 * installing another then keeps the packages that need "a" mail server.
 */
export function aptArgv(ops: PkgOp[]): string[] {
  if (ops.length === 0) return [];
  const installs = ops.filter((o) => o.op === 'install');
  if (installs.length === 0) return ['apt-get', 'remove', ...APT_OPTIONS, ...ops.map((o) => o.name)];
  // A pinned version may be older than the installed one: the user asked for it explicitly.
  const downgrade = installs.some((o) => o.version !== undefined) ? ['--allow-downgrades'] : [];
  return ['apt-get', 'install', ...APT_OPTIONS, ...downgrade, ...ops.map(target)];
}

/** The argv as a script: noninteractive debconf, every word quoted. */
export function aptScript(argv: string[]): string {
  return `DEBIAN_FRONTEND=noninteractive ${shargs(...argv)}`;
}

export const APT_STAMP = '/var/lib/apt/periodic/update-success-stamp';
export const APT_LISTS = '/var/lib/apt/lists';

/**
 * Refresh the index when it is older than `maxAgeSec`: the index's age is the newer of the
 * success stamp (Ubuntu's hook writes it; keel touches it after each update) and the lists
 * directory; with no Packages index at all (a fresh container) it is always refreshed.
 */
export function aptRefreshScript(
  maxAgeSec: number,
  paths: { stamp: string; lists: string; update?: string } = { stamp: APT_STAMP, lists: APT_LISTS },
): string {
  const update = paths.update ?? aptScript(['apt-get', 'update', '-q', '-o', `DPkg::Lock::Timeout=${LOCK_TIMEOUT_SEC}`]);
  const stamp = shq(paths.stamp);
  const lists = shq(paths.lists);
  return [
    `last=0`,
    `if ls ${lists} 2>/dev/null | grep -q '_Packages'; then`,
    `  for f in ${stamp} ${lists}; do`,
    `    [ -e "$f" ] || continue`,
    `    m=$(stat -c %Y "$f") && [ "$m" -gt "$last" ] && last=$m`,
    `  done`,
    `fi`,
    `if [ $(( $(date +%s) - last )) -ge ${Math.floor(maxAgeSec)} ]; then`,
    `  ${update} || exit $?`,
    `  mkdir -p "$(dirname ${stamp})" && touch ${stamp}`,
    `fi`,
  ].join('\n');
}

/**
 * Read-only. ONE dpkg-query for all packages (a name dpkg never heard of prints nothing), with
 * the name and architecture on each line so that select() can tell them apart; then, for state
 * latest only, apt-cache policy per package, its Candidate line tagged with the package's index.
 */
function probeAll(packages: PkgQuery[]): string {
  const lines = [
    `LC_ALL=C dpkg-query -W -f='\${Package}\\t\${Architecture}\\t\${Status}\\t\${Version}\\n' -- ${packages.map((p) => shq(p.name)).join(' ')} 2>/dev/null`,
  ];
  packages.forEach((p, i) => {
    if (p.candidate) lines.push(`LC_ALL=C apt-cache policy -- ${shq(p.name)} 2>/dev/null | sed -n 's/^ *Candidate: */candidate\t${i}\t/p'`);
  });
  lines.push(':');
  return lines.join('\n');
}

/** Pure: the `dpkg=` lines of one package (every installed architecture, or the one named) and its candidate. */
function select(packages: PkgQuery[], index: number, text: string): string {
  const { name } = packages[index];
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const f = line.split('\t');
    if (f[0] === 'candidate' && f[1] === String(index)) out.push(`candidate=${f.slice(2).join('\t')}`);
    else if (f.length === 4 && f[0] !== 'candidate' && (name.includes(':') ? `${f[0]}:${f[1]}` === name : f[0] === name)) {
      out.push(`dpkg=${f[2]}\t${f[3]}`);
    }
  }
  return out.map((l) => `${l}\n`).join('');
}

function parse(name: string, text: string): PkgState {
  const state: PkgState = { installed: false, version: null };
  for (const line of text.split('\n')) {
    if (line.startsWith('dpkg=')) {
      const [status = '', version = ''] = line.slice(5).split('\t');
      // "want error status": "install ok installed", "deinstall ok config-files", ...
      const s = status.trim().split(/\s+/)[2] ?? '';
      if (INSTALLED.has(s)) {
        if (!state.installed) Object.assign(state, { installed: true, version: version || null });
      } else if (!NOT_INSTALLED.has(s)) {
        state.broken = `${s || 'unknown'} (dpkg status "${status.trim()}")`;
      }
    } else if (line.startsWith('candidate=')) {
      const c = line.slice(10).trim();
      state.candidate = c === '' || c === '(none)' ? null : c;
    }
  }
  if (state.installed) delete state.broken;
  return state;
}

export const aptProvider: PkgProvider = {
  name: 'apt',
  detect: 'command -v apt-get >/dev/null 2>&1',
  probeAll,
  select,
  parse,
  transaction: (ops) => (ops.length ? [aptScript(aptArgv(ops))] : []),
  refreshIndex: (maxAgeSec) => aptRefreshScript(maxAgeSec),
};
