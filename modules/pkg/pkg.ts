import { ConfigError, KeelError } from '../../src/errors.js';
import type { HostFacts } from '../../src/facts/types.js';
import type { ApplyContext, BaseSpec, Plan, ProbeOutput, ResourceModule, SharedProbe } from '../../src/module.js';
import { pkgProbe } from './pkg-probe.js';
import { providerFor, providers, type PkgOp, type PkgState } from './provider.js';

export interface PkgSpec extends BaseSpec {
  state?: 'present' | 'absent' | 'latest';
  version?: string;
  update_cache_age?: number;
}

/** What the probe found: which manager answered, and the package's state under it. */
export interface PkgCurrent {
  manager: string;
  pkg?: PkgState;
}

export const DEFAULT_CACHE_AGE = 3600;
const PKG_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9+._-]*[A-Za-z0-9+])?(?::[A-Za-z0-9_-]+)?$/;

const doc = `Installs, upgrades or removes a system package (apt on Debian and Ubuntu).
The name is the package name, optionally with an architecture ("libc6:i386").

Parameters:
- state (present | absent | latest, default present): latest also upgrades the package when
  the package index offers a newer version than the installed one.
- version (string): install exactly this version, as \`apt-cache policy\` shows it (epoch
  included, e.g. "1:9.2p1-2"); a different installed version is replaced, even by an older one.
  Only with state present.
- update_cache_age (seconds, default ${DEFAULT_CACHE_AGE}): before installing or upgrading, refresh
  the package index (\`apt-get update\`) when it is older than this; 0 refreshes it every run.
  The index is refreshed at most once per host per run.

All installs, upgrades and removals of a host that are ready at the same time run as ONE
\`apt-get install\` transaction (removals as \`name-\`), non-interactively, keeping locally
changed configuration files, waiting up to 5 minutes for another apt or dpkg to finish.
Removal is \`apt-get remove\` (configuration files stay; not a purge), and apt may remove
packages that depend on the removed one. state latest compares with the package index as it
is on the host at plan time. The name must be a real package, not a virtual one (install
"postfix", not "mail-transport-agent"). A package left half-installed by an interrupted dpkg
is an error: run \`dpkg --configure -a\` on the host.

Example:
\`\`\`yaml
- pkg: [nginx, curl]
- pkg: postgresql-15
  version: "15.6-0+deb12u1"
- pkg: openssl
  state: latest
  update_cache_age: 600
- pkg: telnet
  state: absent
\`\`\``;

/** The package's part of the host's one package probe (pkg-probe.ts). */
function probe(spec: PkgSpec): SharedProbe {
  return pkgProbe({ name: spec.name, candidate: (spec.state ?? 'present') === 'latest' });
}

function parse(spec: PkgSpec, out: ProbeOutput): PkgCurrent {
  const nl = out.text.indexOf('\n');
  const first = nl < 0 ? out.text : out.text.slice(0, nl);
  if (out.code !== 0 || !first.startsWith('manager=')) {
    const err = out.stderr.toString('utf8').trim();
    throw new KeelError('E_PROBE', `probe of package ${spec.name} failed (exit ${out.code})${err ? `: ${err}` : ''}`);
  }
  const manager = first.slice('manager='.length).trim();
  const provider = providers.find((p) => p.name === manager);
  return provider ? { manager, pkg: provider.parse(spec.name, out.text.slice(nl + 1)) } : { manager };
}

function plan(spec: PkgSpec, cur: PkgCurrent, facts: HostFacts): Plan<PkgOp> {
  const provider = providerFor(facts);
  const state = spec.state ?? 'present';
  if (spec.version !== undefined && state !== 'present') {
    throw new KeelError('E_CONFIG', `pkg ${spec.name}: version is only allowed with state present (state is ${state})`);
  }
  if (cur.manager !== provider.name || !cur.pkg) {
    throw new KeelError('E_PROBE', `pkg ${spec.name}: facts say ${provider.name} but the probe found ${cur.manager}`);
  }
  const p = cur.pkg;
  if (p.broken) {
    throw new KeelError('E_PKG_BROKEN', `package ${spec.name} is ${p.broken}: an earlier install was interrupted`, {
      hint: 'repair it on the host (dpkg --configure -a, then apt-get -f install) and run keel again',
    });
  }
  const name = spec.name;
  if (state === 'absent') {
    if (!p.installed) return { action: 'none', changes: [] };
    return { action: 'delete', changes: [{ field: 'version', from: p.version, to: null }], steps: { name, op: 'remove' } };
  }
  const version = spec.version;
  const install: PkgOp = version !== undefined ? { name, op: 'install', version } : { name, op: 'install' };
  if (!p.installed) {
    const to = version ?? p.candidate ?? 'installed';
    return { action: 'create', changes: [{ field: 'version', from: null, to }], steps: install };
  }
  const wanted = version ?? (state === 'latest' ? p.candidate : undefined);
  // latest with no candidate (package gone from the sources): nothing to upgrade to.
  if (wanted === undefined || wanted === null || wanted === p.version) return { action: 'none', changes: [] };
  return { action: 'update', changes: [{ field: 'version', from: p.version, to: wanted }], steps: install };
}

/** Every op of a host in one transaction; the index refreshed first (once per run) when installing. */
async function applyBatch(ctx: ApplyContext, items: { spec: PkgSpec; plan: Plan<PkgOp> }[]): Promise<void> {
  const provider = providerFor(ctx.facts);
  const ops = items.flatMap((x) => (x.plan.steps ? [x.plan.steps] : []));
  if (ops.length === 0) return;
  const installing = items.filter((x) => x.plan.steps?.op === 'install');
  if (installing.length) {
    const age = Math.min(...installing.map((x) => x.spec.update_cache_age ?? DEFAULT_CACHE_AGE));
    await ctx.once(`pkg-index-refresh:${provider.name}`, async () => {
      await ctx.run(provider.refreshIndex(age));
    });
  }
  for (const script of provider.transaction(ops)) await ctx.run(script);
}

export const pkgModule: ResourceModule<PkgSpec, PkgCurrent, PkgOp> = {
  kind: 'pkg',
  doc,
  schema: {
    type: 'object',
    properties: {
      state: {
        type: 'string',
        enum: ['present', 'absent', 'latest'],
        default: 'present',
        description: 'present: installed (any version); latest: installed and upgraded to the candidate; absent: removed.',
      },
      version: {
        type: 'string',
        minLength: 1,
        pattern: '^[A-Za-z0-9.+~:_-]+$',
        description: 'Exact version to install, epoch included ("1:9.2p1-2"); only with state present.',
      },
      update_cache_age: {
        type: 'integer',
        minimum: 0,
        default: DEFAULT_CACHE_AGE,
        description: 'Refresh the package index before installing when it is older than this many seconds (0: always).',
      },
    },
    additionalProperties: false,
    if: { properties: { version: { type: 'string' } }, required: ['version'] },
    then: { properties: { state: { const: 'present' } } },
  },
  prepare(spec) {
    // apt reads "name-" as "remove" and "name=1" as a version: only plain names are names.
    if (!PKG_NAME.test(spec.name)) {
      throw new ConfigError(`pkg: "${spec.name}" is not a package name`, {
        resource: `pkg:${spec.name}`,
        hint: 'letters, digits and + . _ -, optionally ":arch"; put a version in `version`',
      });
    }
    return spec;
  },
  probe,
  parse: (spec, out) => parse(spec, out),
  plan: (spec, cur, facts) => plan(spec, cur, facts),
  apply: (ctx, p, spec) => applyBatch(ctx, [{ spec, plan: p }]),
  applyBatch,
};
