/**
 * `facts` is the one variable keel fills from the host itself: a user variable of that name
 * (inventory vars at any level, --var) is refused rather than silently shadowed or shadowing.
 */
import { ConfigError, type SourcePos } from '../errors.js';
import type { StateFacts } from '../facts/types.js';
import type { PathSeg } from './source.js';
import { isPlainObject, type Vars } from './vars.js';

export const FACTS_VAR = 'facts';

/** The variables a host's states render with: its own, and `facts` (real, or the placeholder). */
export function varsWithFacts(vars: Vars, facts: StateFacts): Vars {
  return { ...vars, [FACTS_VAR]: facts };
}

/** One error per level that defines `facts`; `path` absent for --var. */
export function reservedFactsErrors(levels: { vars: unknown; path?: PathSeg[] }[], keyAt: (path: PathSeg[]) => SourcePos): ConfigError[] {
  const errors: ConfigError[] = [];
  const hint = `facts are gathered from the host (facts.os.family, facts.cpus, ...): give your variable another name`;
  for (const { vars, path } of levels) {
    if (!isPlainObject(vars) || !(FACTS_VAR in vars)) continue;
    if (!path) errors.push(new ConfigError(`--var ${FACTS_VAR}: '${FACTS_VAR}' is reserved for the host's facts`, { hint }));
    else errors.push(new ConfigError(`variable '${FACTS_VAR}' is reserved for the host's facts`, { pos: keyAt([...path, FACTS_VAR]), hint }));
  }
  return errors;
}

/** The hint for an undefined variable: a misspelt fact is not fixed by defining a variable. */
export function undefinedVarHint(path: readonly string[], define: string): string {
  if (path[0] === FACTS_VAR) {
    return 'facts are gathered from the host: facts.os.{family,id,version_id,codename}, arch, kernel, hostname, fqdn, cpus, memory_mb, init, pkg_manager, addresses';
  }
  return define;
}
