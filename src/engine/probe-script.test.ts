import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { buildProbeScript, parseProbeOutput } from './probe-script.js';
import { FACTS_SNIPPET, parseFacts } from '../facts/gather.js';

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
});
