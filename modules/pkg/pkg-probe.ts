/**
 * The shared package probe: every package of a host asked about in one go, under the manager
 * the host has (the same test as the facts), as `manager=` and then the provider's lines for
 * each package, so that pkg's parse reads what one package's own probe printed.
 */
import type { ProbeConcern, ProbeOutput, SharedProbe } from '../../src/module.js';
import { providers, type PkgQuery } from './provider.js';

function script(packages: PkgQuery[]): string {
  const branches = providers.map((p, i) => `${i ? 'elif' : 'if'} ${p.detect}; then\necho manager=${p.name}\n${p.probeAll(packages)}`);
  return [...branches, 'else echo manager=none', 'fi'].join('\n');
}

function split(out: ProbeOutput, packages: PkgQuery[]): ProbeOutput[] {
  const nl = out.text.indexOf('\n');
  const first = nl < 0 ? out.text : out.text.slice(0, nl + 1);
  const provider = providers.find((p) => first === `manager=${p.name}\n`);
  return packages.map((_, i) => {
    // no manager line (the snippet failed): every package's parse reports it
    const text = !first.startsWith('manager=') ? out.text : provider ? first + provider.select(packages, i, out.text.slice(nl + 1)) : first;
    return { code: out.code, stdout: Buffer.from(text), stderr: out.stderr, text };
  });
}

export const pkgConcern: ProbeConcern<PkgQuery> = { key: 'pkg', script, split };

export const pkgProbe = (query: PkgQuery): SharedProbe<PkgQuery> => ({ concern: pkgConcern, request: query });
