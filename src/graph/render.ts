/**
 * The graph as DOT (Graphviz) or Mermaid text, for `keel graph`: one document for all the hosts
 * drawn (a cluster, or a Mermaid subgraph, per host when there are several). With the states of a
 * saved plan report (`keel plan --json`), nodes are coloured: in sync, will change, may change,
 * failed. Pure.
 */
import type { Graph } from './build.js';

export interface HostGraph {
  host: string;
  graph: Graph;
}

/** What the last plan said of a resource, by host and id. */
export type NodeState = 'in-sync' | 'change' | 'may-change' | 'failed' | 'skipped';
export type PlanStates = Map<string, Map<string, NodeState>>;

const style = { require: '', watch: ' [style=dashed, label="watch"]', auto: ' [style=dotted]' };
const FILL: Record<NodeState, string> = { 'in-sync': '#d9f2d9', change: '#ffe8a3', 'may-change': '#ffd0a0', failed: '#f4b6b6', skipped: '#e6e6e6' };

export function toDot(hosts: HostGraph[], states?: PlanStates): string {
  const q = (s: string) => JSON.stringify(s);
  const several = hosts.length > 1;
  const lines = [`digraph ${q(several ? 'keel' : hosts[0]?.host ?? 'keel')} {`, '  rankdir=LR;', '  node [shape=box, style=filled, fillcolor=white];'];
  hosts.forEach(({ host, graph }, i) => {
    // a resource id is unique per host only: with several hosts each node is named host/id
    const name = (id: string) => q(several ? `${host}/${id}` : id);
    const pad = several ? '    ' : '  ';
    if (several) lines.push(`  subgraph ${q(`cluster_${i}`)} {`, `    label=${q(host)};`);
    for (const r of graph.order) {
      const st = states?.get(host)?.get(r.id);
      const attrs = [several ? `label=${q(r.id)}` : '', st ? `fillcolor=${q(FILL[st])}, tooltip=${q(st)}` : ''].filter(Boolean).join(', ');
      lines.push(`${pad}${name(r.id)}${attrs ? ` [${attrs}]` : ''};`);
    }
    for (const [from, to, kind] of graph.edges) lines.push(`${pad}${name(from)} -> ${name(to)}${style[kind]};`);
    if (several) lines.push('  }');
  });
  lines.push('}');
  return lines.join('\n') + '\n';
}

export function toMermaid(hosts: HostGraph[], states?: PlanStates): string {
  const label = (s: string) => `"${s.replace(/"/g, '#quot;')}"`;
  const several = hosts.length > 1;
  const lines = ['flowchart LR'];
  const arrow = { require: '-->', watch: '-. watch .->', auto: '-.->' };
  const classes = new Map<NodeState, string[]>();
  hosts.forEach(({ host, graph }, h) => {
    const ids = new Map(graph.order.map((r, i) => [r.id, several ? `h${h}r${i}` : `r${i}`]));
    const pad = several ? '    ' : '  ';
    lines.push(several ? `  subgraph h${h} [${label(host)}]` : `  %% host ${host}`);
    for (const r of graph.order) {
      lines.push(`${pad}${ids.get(r.id)}[${label(r.id)}]`);
      const st = states?.get(host)?.get(r.id);
      if (st) classes.set(st, [...(classes.get(st) ?? []), ids.get(r.id)!]);
    }
    for (const [from, to, kind] of graph.edges) lines.push(`${pad}${ids.get(from)} ${arrow[kind]} ${ids.get(to)}`);
    if (several) lines.push('  end');
  });
  for (const [st, nodes] of classes) {
    const cls = st.replace('-', '_');
    lines.push(`  classDef ${cls} fill:${FILL[st]}`, `  class ${nodes.join(',')} ${cls}`);
  }
  return lines.join('\n') + '\n';
}

/** The node states of a `keel plan --json` report (or a converge's), by host and resource id. */
export function planStates(report: { hosts?: { host: string; resources?: { id: string; action: string; status: string; refresh?: unknown }[] }[] }): PlanStates {
  const out: PlanStates = new Map();
  for (const h of report.hosts ?? []) {
    const m = new Map<string, NodeState>();
    for (const r of h.resources ?? []) {
      m.set(r.id, r.status === 'failed' ? 'failed' : r.status === 'skipped' ? 'skipped' : r.action === 'may-change' ? 'may-change' : r.action === 'none' && !r.refresh ? 'in-sync' : 'change');
    }
    out.set(h.host, m);
  }
  return out;
}
