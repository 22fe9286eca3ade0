/** keel graph: the dependency graph of each targeted host as DOT or Mermaid. */
import { compileJobs } from '../engine/compile.js';
import { toDot, toMermaid } from '../graph/render.js';
import { loadCommon, type CommonFlags } from './load.js';

export async function graphCommand(flags: CommonFlags & { format: 'dot' | 'mermaid' }): Promise<void> {
  const { inv, hosts, modules } = await loadCommon(flags);
  for (const job of compileJobs(inv, hosts, modules)) {
    process.stdout.write((flags.format === 'mermaid' ? toMermaid : toDot)(job.host.name, job.graph));
  }
}
