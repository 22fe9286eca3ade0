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

/**
 * A plausible host (Debian 12 on x86_64, documentation addresses): values a real host could have,
 * so that a state valid on real hosts compiles with it too (`/srv/{{ facts.os.id }}` is a canonical
 * path, `{{ facts.addresses[0] }}` exists, `{{ facts.cpus * 2 }}` is a valid count, hostname and fqdn
 * differ), while typos and type errors still show at compile, before any host is touched.
 */
const PLACEHOLDER: StateFacts = {
  os: { family: 'debian', id: 'debian', version_id: '12', codename: 'bookworm' },
  arch: 'x86_64',
  kernel: '6.1.0-placeholder',
  hostname: 'placeholder',
  fqdn: 'placeholder.example.invalid',
  cpus: 1,
  memory_mb: 1024,
  init: 'systemd',
  pkg_manager: 'apt',
  addresses: ['192.0.2.1'],
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
  for (const [key, value] of Object.entries(deepFreeze(structuredClone(PLACEHOLDER)))) {
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
