import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shq } from '../shell.js';
import { REDACTED, redactSecrets } from './host-report.js';

describe('redactSecrets', () => {
  // what a secret turns into on its way to a log: quoted for sh, escaped in JSON
  const carriers = [(s: string) => s, shq, (s: string) => JSON.stringify(s), (s: string) => JSON.stringify(shq(s))];
  it('removes a secret however it was quoted (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 4 }), fc.string(), fc.constantFrom(...carriers.keys()), (secret, around, k) => {
        fc.pre(!REDACTED.includes(secret) && !around.includes(secret));
        const text = `${around}export X=${carriers[k](secret)}; ${around}`;
        const out = redactSecrets({ script: text, list: [text] }, [secret]);
        expect(out.script).not.toContain(secret);
        expect(out.script).not.toContain(shq(secret));
        expect(out.list[0]).toBe(out.script);
      }),
      { numRuns: 500 },
    );
  });
  it("redacts a secret with a quote from shq's form", () => {
    expect(redactSecrets(`PGPASSWORD=${shq("it's-hunter2")}`, ["it's-hunter2"])).toBe(`PGPASSWORD='${REDACTED}'`);
  });
});
