/**
 * The package manager seam. The pkg module plans in terms of these types only; each manager
 * (apt today, dnf later) is one file that implements PkgProvider.
 */
import { KeelError } from '../../src/errors.js';
import type { HostFacts } from '../../src/facts/types.js';
import { aptProvider } from './apt.js';

/** What the host has of one package. */
export interface PkgState {
  installed: boolean;
  /** Installed version, as the package manager prints it (epoch included). */
  version: string | null;
  /** The version an install would pick; only probed when it matters (state latest). */
  candidate?: string | null;
  /** Set when the package is half-installed or half-configured: only a human should fix that. */
  broken?: string;
}

/** One package the probe asks about; `candidate` also asks for the version an install would pick. */
export interface PkgQuery {
  name: string;
  candidate: boolean;
}

/** One package's part of a transaction. */
export interface PkgOp {
  name: string;
  op: 'install' | 'remove';
  /** Exact version to install; unset: the manager's candidate. */
  version?: string;
}

export interface PkgProvider {
  name: HostFacts['pkgManager'];
  /** A POSIX sh test that is true on hosts with this manager (the same test as the facts). */
  detect: string;
  /**
   * Read-only snippet reporting the state of every package of a host at once (one process for
   * all, the installable version only of those with `candidate`). It runs in the probe script's
   * own shell: no exit, variables named k_p_*.
   */
  probeAll(packages: PkgQuery[]): string;
  /** Pure: what probeAll printed about package `index`, in the form parse() reads. */
  select(packages: PkgQuery[], index: number, text: string): string;
  /** Pure: that text (after the `manager=` line) to a PkgState. */
  parse(name: string, text: string): PkgState;
  /** Scripts that carry out every op in as few transactions as the manager allows. */
  transaction(ops: PkgOp[]): string[];
  /** Script refreshing the package index when it is older than `maxAgeSec` seconds. */
  refreshIndex(maxAgeSec: number): string;
}

export const providers: PkgProvider[] = [aptProvider];

/** The provider for this host, or a clear error for a host keel cannot manage packages on. */
export function providerFor(facts: HostFacts): PkgProvider {
  const p = providers.find((x) => x.name === facts.pkgManager);
  if (p) return p;
  const supported = providers.map((x) => x.name).join(', ');
  const found = facts.pkgManager === 'none' ? 'no package manager was found' : `its package manager is ${facts.pkgManager}`;
  throw new KeelError('E_UNSUPPORTED', `pkg: keel manages packages with ${supported}; on this host ${found}`, {
    hint: 'install packages on this host with a command resource, or exclude it with -l',
  });
}
