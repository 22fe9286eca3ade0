/**
 * Pure: turns the probes of a host's resources into the snippets of one probe script, and the
 * script's outputs back into one ProbeOutput per resource. Parts of a shared probe (ProbeConcern)
 * are gathered into one snippet per concern, run in the script's own shell (no subshell); own
 * snippets keep a subshell each. A resource whose probe has several parts gets their outputs
 * concatenated in order.
 */
import type { Probe, ProbeConcern, ProbeOutput } from '../module.js';

export interface ScriptSnippet {
  text: string;
  /** Run in the script's own shell as a `{ }` group: the snippet is known not to exit or leak state. */
  grouped?: boolean;
}

export interface ProbePlan {
  snippets: ScriptSnippet[];
  /** The snippets' outputs (in order) as one output per probe. */
  assemble(outputs: ProbeOutput[]): ProbeOutput[];
}

type Part = { slot: number } | { key: string; index: number };

export function planProbes(probes: Probe[]): ProbePlan {
  const own: ScriptSnippet[] = [];
  const concerns = new Map<string, { concern: ProbeConcern; requests: unknown[] }>();
  const parts: Part[][] = probes.map((probe) =>
    (Array.isArray(probe) ? probe : [probe]).map((part): Part => {
      if (typeof part === 'string') return { slot: own.push({ text: part }) - 1 };
      const key = part.concern.key;
      let c = concerns.get(key);
      if (!c) concerns.set(key, (c = { concern: part.concern, requests: [] }));
      return { key, index: c.requests.push(part.request) - 1 };
    }),
  );
  const shared = [...concerns.entries()].map(([key, c], i) => ({ key, ...c, slot: own.length + i }));
  const snippets = [...own, ...shared.map((c) => ({ text: c.concern.script(c.requests), grouped: true }))];
  return {
    snippets,
    assemble(outputs) {
      const split = new Map(shared.map((c) => [c.key, c.concern.split(outputs[c.slot], c.requests)]));
      return parts.map((ps) => joinOutputs(ps.map((p) => ('slot' in p ? outputs[p.slot] : split.get(p.key)![p.index]))));
    },
  };
}

/** Several parts of one resource's probe as one output: the first failure's code wins. */
export function joinOutputs(outs: ProbeOutput[]): ProbeOutput {
  if (outs.length === 1) return outs[0];
  const stdout = Buffer.concat(outs.map((o) => o.stdout));
  return {
    code: outs.find((o) => o.code !== 0)?.code ?? 0,
    stdout,
    stderr: Buffer.concat(outs.map((o) => o.stderr)),
    text: stdout.toString('utf8'),
  };
}
