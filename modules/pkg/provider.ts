/**
 * The package manager seam. The pkg module plans in terms of these types only; each manager
 * (apt today, dnf later) is one file that implements PkgProvider.
 */
import { KeelError } from '../../src/errors.js';
import type { Facts } from '../../src/facts/types.js';
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

/** One package's part of a transaction. */
export interface PkgOp {
  name: string;
  op: 'install' | 'remove';
  /** Exact version to install; unset: the manager's candidate. */
  version?: string;
}

export interface PkgProvider {
  name: Facts['pkgManager'];
  /** A POSIX sh test that is true on hosts with this manager (the same test as the facts). */
  detect: string;
  /** Read-only snippet reporting the package's state; `candidate` also asks for the installable version. */
  probe(name: string, opts: { candidate: boolean }): string;
  /** Pure: the snippet's stdout (after the `manager=` line) to a PkgState. */
  parse(name: string, text: string): PkgState;
  /** Scripts that carry out every op in as few transactions as the manager allows. */
  transaction(ops: PkgOp[]): string[];
  /** Script refreshing the package index when it is older than `maxAgeSec` seconds. */
  refreshIndex(maxAgeSec: number): string;
}

export const providers: PkgProvider[] = [aptProvider];

/** The provider for this host, or a clear error for a host keel cannot manage packages on. */
export function providerFor(facts: Facts): PkgProvider {
  const p = providers.find((x) => x.name === facts.pkgManager);
  if (p) return p;
  const supported = providers.map((x) => x.name).join(', ');
  const found = facts.pkgManager === 'none' ? 'no package manager was found' : `its package manager is ${facts.pkgManager}`;
  throw new KeelError('E_UNSUPPORTED', `pkg: keel manages packages with ${supported}; on this host ${found}`, {
    hint: 'install packages on this host with a command resource, or exclude it with -l',
  });
}
