/**
 * A managed file's bytes and an error's text reach the operator's terminal escaped through the
 * real CLI (text output), and exact in --json. The "host" is the local transport: its bytes are
 * as hostile as any remote host's.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keel } from '../helpers/keel.js';
import { project } from '../engine/local-env.js';

// ESC sequences (window title, clear screen), CR, BEL, a C1 CSI, bidi override and isolate
const HOSTILE = 'title\u001b]0;owned\u0007 clear\u001b[2J cr\rover bel\u0007 c1\u009b31m bidi\u202eevil\u202c iso\u2066x\u2069\n';
const ACTIVE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('terminal safety through the CLI', () => {
  const p = project({
    main: `resources:
  - file: "{{ root }}/motd"
    content: "fine\\n"
`,
  });
  afterAll(() => p.remove());
  writeFileSync(join(p.root, 'motd'), HOSTILE);

  it('keel plan text shows the hostile bytes of a file escaped, --json keeps them exact', async () => {
    const text = await keel(['plan', ...p.args]);
    expect(text.code, text.stderr).toBe(2);
    expect(text.stdout).not.toMatch(ACTIVE);
    expect(text.stdout).toContain('-title\\e]0;owned\\x07 clear\\e[2J cr\\rover bel\\x07 c1\\x9b31m bidi\\u202eevil\\u202c iso\\u2066x\\u2069');

    const json = await keel(['plan', ...p.args, '--json']);
    expect(json.code).toBe(2);
    const diff: string = JSON.parse(json.stdout).hosts[0].resources[0].diff;
    expect(diff).toContain(`-${HOSTILE}`);
  });

  it('an error message with control characters in it is printed escaped', async () => {
    p.write('states/main.yaml', `resources:\n  - file: "{{ root }}/x"\n    source: "files/no\\e[2Jsuch\\rfile\\u202e"\n`);
    const r = await keel(['plan', ...p.args]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(ACTIVE);
    expect(r.stderr).toContain('no\\e[2Jsuch\\rfile\\u202e');
  });
});
