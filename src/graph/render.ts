/** The graph as DOT (Graphviz) or Mermaid text, for `keel graph`. Pure. */
import type { Graph } from './build.js';

const style = { require: '', watch: ' [style=dashed, label="watch"]', auto: ' [style=dotted]' };

export function toDot(host: string, g: Graph): string {
  const q = (s: string) => JSON.stringify(s);
  const lines = [`digraph ${q(host)} {`, '  rankdir=LR;', '  node [shape=box];'];
  for (const r of g.order) lines.push(`  ${q(r.id)};`);
  for (const [from, to, kind] of g.edges) lines.push(`  ${q(from)} -> ${q(to)}${style[kind]};`);
  lines.push('}');
  return lines.join('\n') + '\n';
}

export function toMermaid(host: string, g: Graph): string {
  const ids = new Map(g.order.map((r, i) => [r.id, `r${i}`]));
  const label = (s: string) => `"${s.replace(/"/g, '#quot;')}"`;
  const lines = ['flowchart LR', `  %% host ${host}`];
  for (const r of g.order) lines.push(`  ${ids.get(r.id)}[${label(r.id)}]`);
  const arrow = { require: '-->', watch: '-. watch .->', auto: '-.->' };
  for (const [from, to, kind] of g.edges) lines.push(`  ${ids.get(from)} ${arrow[kind]} ${ids.get(to)}`);
  return lines.join('\n') + '\n';
}
