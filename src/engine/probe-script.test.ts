import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { buildProbeScript, parseProbeOutput } from './probe-script.js';
import { FACTS_SNIPPET, parseFacts } from '../facts/gather.js';
import type { ProbeConcern } from '../module.js';
import { planProbes } from './shared-probe.js';

const runSh = (script: string) => execFileSync('sh', ['-c', script]);

describe('probe batch', () => {
  it('frames stdout, stderr and exit code of every snippet, any bytes surviving', () => {
    const snippets = [
      'printf "a\\nb"; echo err >&2; exit 3',
      `printf '\\000\\377@@KEEL\\n'`,
      'exit 0',
      'cat; echo read-nothing',
    ];
    const { script, marker } = buildProbeScript(snippets);
    const outs = parseProbeOutput(runSh(script), marker, snippets.length);
    expect(outs[0]).toMatchObject({ code: 3, text: 'a\nb' });
    expect(outs[0].stderr.toString()).toBe('err\n');
    expect([...outs[1].stdout]).toEqual([0, 255, ...Buffer.from('@@KEEL\n')]);
    expect(outs[2]).toMatchObject({ code: 0, text: '' });
    expect(outs[3].text).toBe('read-nothing\n');
  });

  it('reports a snippet that never framed its output', () => {
    const { marker } = buildProbeScript(['true']);
    expect(() => parseProbeOutput(Buffer.alloc(0), marker, 1)).toThrow(/snippet 0 of 1 did not report/);
  });

  it('gathers facts from this real machine', () => {
    const { script, marker } = buildProbeScript([FACTS_SNIPPET]);
    const [out] = parseProbeOutput(runSh(script), marker, 1);
    const facts = parseFacts(out.text);
    expect(facts.osId).toBe('debian');
    expect(facts.pkgManager).toBe('apt');
    expect(facts.uid).toBe(process.getuid?.());
  });

  it('runs grouped snippets in the script\'s own shell: no subshell, variables seen by later groups', () => {
    const { script, marker } = buildProbeScript([
      { text: 'k_x=1', grouped: true },
      { text: 'printf "x=%s" "$k_x"', grouped: true },
      'k_y=2',
      { text: 'printf "y=%s" "$k_y"; false', grouped: true },
    ]);
    const outs = parseProbeOutput(runSh(script), marker, 4);
    expect(outs[1].text).toBe('x=1');
    expect(outs[3]).toMatchObject({ text: 'y=', code: 1 });
  });
});

describe('shared probes', () => {
  // a real concern in miniature: one snippet for all requests, split by line
  const echo: ProbeConcern<string> = {
    key: 'echo',
    script: (reqs) => reqs.map((r) => `echo ${r}`).join('\n'),
    split: (out, reqs) => reqs.map((_, i) => {
      const line = out.text.split('\n')[i] + '\n';
      return { code: 0, stdout: Buffer.from(line), stderr: Buffer.alloc(0), text: line };
    }),
  };
  it('batches the parts of one concern into one snippet and gives each probe its part, own snippets alone', () => {
    const plan = planProbes(['echo own1', { concern: echo, request: 'a' }, ['echo own2', { concern: echo, request: 'b' }], { concern: echo, request: 'c' }]);
    expect(plan.snippets).toEqual([{ text: 'echo own1' }, { text: 'echo own2' }, { text: 'echo a\necho b\necho c', grouped: true }]);
    const { script, marker } = buildProbeScript(plan.snippets);
    const outs = plan.assemble(parseProbeOutput(runSh(script), marker, plan.snippets.length));
    expect(outs.map((o) => o.text)).toEqual(['own1\n', 'a\n', 'own2\nb\n', 'c\n']);
  });
});
