import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { wrapScript } from './wrap.js';

/** Run a wrapped command the way keel does: the outer script on a real sh's stdin. */
const run = (outer: string) => execFileSync('sh', ['-s'], { input: outer }).toString();
const noNul = fc.string({ unit: 'binary' }).filter((s) => !s.includes('\0'));

describe('wrapScript', () => {
  it('delivers any env value and script text byte for byte, and runs none of it as code (property)', () => {
    fc.assert(
      fc.property(noNul, noNul, (value, text) => {
        const script = `printf '%s|' "$V"\ncat <<'X'\n${text.replace(/^X$/gm, 'Y')}\nX`;
        const out = run(wrapScript({ name: 'p', run: 'unused', env: { V: value } }, script, ' ; echo "|$?"'));
        expect(out).toBe(`${value}|${text.replace(/^X$/gm, 'Y')}\n|0\n`);
      }),
      { numRuns: 150 },
    );
  });

  it('keeps the script and env values out of every command line', () => {
    const outer = wrapScript({ name: 'p', run: 'x', env: { V: 'hunter2' } }, 'cat /proc/$$/cmdline /proc/$PPID/cmdline # hunter2');
    const out = run(outer);
    expect(out).toContain('keel_s=$(cat <&3)');
    expect(out).not.toContain('hunter2');
  });

  it('gives the script no stdin and its own exit status', () => {
    expect(run(`printf input | ${wrapScript({ name: 'p', run: 'x' }, 'cat; exit 3', '; echo "exit $?"')}`)).toBe('exit 3\n');
  });
});
