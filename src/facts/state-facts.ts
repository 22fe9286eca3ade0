/**
 * The `facts` variable states see, and the placeholder they are compiled with before any host is
 * touched. The placeholder records whether anything read it: only a host whose rendering read
 * `facts` pays the extra round trip that gathers them before its states are compiled again.
 */
import type { Facts, StateFacts } from './types.js';

export function stateFacts(f: Facts): StateFacts {
  return deepFreeze({
    os: { family: f.osFamily, id: f.osId, version_id: f.osVersion, codename: f.osCodename },
    arch: f.arch,
    kernel: f.kernel,
    hostname: f.hostname,
    fqdn: f.fqdn,
    cpus: f.cpus,
    memory_mb: f.memoryMb,
    init: f.init,
    pkg_manager: f.pkgManager,
    addresses: f.addresses,
  });
}

/** Typed empty values: the shape and types of real facts, so that typos and type errors show at compile. */
const EMPTY: StateFacts = {
  os: { family: '', id: '', version_id: '', codename: '' },
  arch: '',
  kernel: '',
  hostname: '',
  fqdn: '',
  cpus: 0,
  memory_mb: 0,
  init: '',
  pkg_manager: '',
  addresses: [],
};

export interface FactsPlaceholder {
  facts: StateFacts;
  /** True once a template, condition or state value read any fact. */
  read(): boolean;
}

/**
 * Each fact is a getter that notes the read: whatever reaches a fact counts, the check of
 * undefined variables (so a mention in a branch not taken too), rendering, comparing, `| dump`,
 * an include whose name is computed. Frozen: mergeVars shares a frozen value instead of copying
 * it (a copy would read every fact, and the host would pay for facts it never uses).
 */
export function factsPlaceholder(): FactsPlaceholder {
  let read = false;
  const facts = {} as StateFacts;
  for (const [key, value] of Object.entries(deepFreeze(structuredClone(EMPTY)))) {
    Object.defineProperty(facts, key, {
      enumerable: true,
      get: () => {
        read = true;
        return value;
      },
    });
  }
  return { facts: Object.freeze(facts), read: () => read };
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}
