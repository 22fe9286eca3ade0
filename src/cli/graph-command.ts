/**
 * keel graph: the dependency graph of the targeted hosts, one document (a cluster per host), as
 * DOT or Mermaid text, or rendered to SVG/PNG by Graphviz's `dot` (Debian's graphviz). With
 * `--plan report.json` (from `keel plan --json`) nodes are coloured by what that plan said.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { compileJobs } from '../engine/compile.js';
import { ConfigError, UsageError } from '../errors.js';
import { planStates, toDot, toMermaid, type PlanStates } from '../graph/render.js';
import { loadCommon, type CommonFlags } from './load.js';
import { PLAN_FORMAT, readSavedPlan } from '../plan-file/saved-plan.js';

export type GraphFormat = 'dot' | 'mermaid' | 'svg' | 'png';

export async function graphCommand(flags: CommonFlags & { format: GraphFormat; out?: string; plan?: string }): Promise<void> {
  const states = flags.plan === undefined ? undefined : readPlan(flags.plan);
  const { inv, hosts, modules } = await loadCommon(flags);
  const graphs = compileJobs(inv, hosts, modules).map((j) => ({ host: j.host.name, graph: j.graph }));
  const text = flags.format === 'mermaid' ? toMermaid(graphs, states) : toDot(graphs, states);
  const out: string | Buffer = flags.format === 'svg' || flags.format === 'png' ? render(text, flags.format) : text;
  if (flags.out) writeFileSync(flags.out, out);
  else process.stdout.write(out);
}

function readPlan(file: string): PlanStates {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--plan ${file}: cannot read it: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let parsed: Parameters<typeof planStates>[0] & { format?: unknown };
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError(`--plan ${file}: not a keel report (JSON)`, { hint: 'give a plan saved by `keel plan --out plan.keel`, or the output of `keel plan --json > plan.json`' });
  }
  // a plan saved by keel plan --out: checked as keel converge checks it, then its report
  return planStates(parsed?.format === PLAN_FORMAT ? readSavedPlan(file).report : parsed);
}

/** DOT through Graphviz's dot: SVG text or PNG bytes. */
function render(dot: string, format: 'svg' | 'png'): Buffer {
  try {
    return execFileSync('dot', [`-T${format}`], { input: dot, maxBuffer: 256 << 20, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === 'ENOENT') throw new UsageError(`--format ${format} needs Graphviz's dot, which is not installed`, { hint: 'install it (Debian: apt-get install graphviz), or use --format dot and render it elsewhere' });
    throw new UsageError(`Graphviz's dot failed: ${err.stderr?.toString().trim() || err.message}`);
  }
}
