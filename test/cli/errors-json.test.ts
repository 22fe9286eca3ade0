/**
 * Errors as data, through the real CLI: with --json, a command that fails before it has a report
 * prints {"errors": [...]} on stdout (docs/errors.schema.json; the same errors, positions and
 * hints as the text on stderr) and exits 1; `keel validate --json` prints the same document.
 * The logging flags (--log-level, --log-file, -v, -vv) are taken by every command.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, keel } from '../helpers/keel.js';
import { project } from '../engine/local-env.js';

const schema = JSON.parse(readFileSync(join(REPO, 'docs', 'errors.schema.json'), 'utf8'));
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);
function expectValid(doc: unknown) {
  expect(validate(doc), JSON.stringify(validate.errors, null, 2)).toBe(true);
}

const p = project({
  site: `resources:
  - file: "{{ root }}/ok"
    content: "ok\\n"
  - file: "{{ root }}/m"
    modee: "0644"
  - file: "{{ root }}/t"
    mode: 644
`,
});
const good = project({ site: `resources:\n  - file: "{{ root }}/ok"\n    content: "ok\\n"\n` });
afterAll(() => {
  p.remove();
  good.remove();
});
const S = `${p.dir}/states/site.yaml`;

describe('--json errors', () => {
  it('the schema refuses what it should (so that passing means something)', () => {
    expectValid({ errors: [{ code: 'E_CONFIG', message: 'm', file: 'f', line: 1, column: 2 }] });
    expect(validate({ errors: [{ code: 'E_CONFIG', message: 'm', line: 1, column: 2 }] })).toBe(false); // a line needs its file
    expect(validate({ errors: [{ message: 'm' }] })).toBe(false);
    expect(validate({})).toBe(false);
  });

  it.each(['plan', 'converge', 'validate'])('%s --json on bad input: the errors on stdout, the text on stderr, exit 1', async (cmd) => {
    const r = await keel([cmd, ...p.args, '--json']);
    expect(r.code, r.stderr).toBe(1);
    const doc = JSON.parse(r.stdout);
    expectValid(doc);
    expect(doc.errors).toEqual([
      { code: 'E_CONFIG', message: "unknown key 'modee' for file: did you mean 'mode'?", file: S, line: 5, column: 5 },
      expect.objectContaining({ code: 'E_CONFIG', file: S, line: 7, column: 11, message: expect.stringMatching(/^resources\[2\]\.mode: expected string matching/) }),
    ]);
    expect(r.stderr).toContain(`error: ${S}:5:5: unknown key 'modee' for file: did you mean 'mode'?`);
    expect(existsSync(`${p.root}/ok`)).toBe(false);
  });

  it('an error that is not about a file (an unknown host in --limit) has its code, message and hint', async () => {
    const r = await keel(['plan', ...good.args, '--limit', 'localhots', '--json']);
    expect(r.code, r.stderr).toBe(1);
    const doc = JSON.parse(r.stdout);
    expectValid(doc);
    expect(doc.errors).toHaveLength(1);
    expect(doc.errors[0].message).toMatch(/localhots/);
    expect(doc.errors[0].file).toBeUndefined();
  });

  it('a flag value refused while the command line is parsed (--forks 0) is an error document too', async () => {
    const r = await keel(['plan', ...good.args, '--forks', '0', '--json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expectValid(doc);
    expect(doc.errors).toEqual([{ code: 'E_USAGE', message: '--forks expects a whole number >= 1, got "0"' }]);
  });

  it('validate --json on good input: no errors, and the counts', async () => {
    const r = await keel(['validate', ...good.args, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expectValid(doc);
    expect(doc).toEqual({ errors: [], hosts: 1, resources: 1 });
  });

  it('without --json, stdout stays empty on failure', async () => {
    const r = await keel(['validate', ...p.args]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
  });
});

describe('logging flags on every command', () => {
  it('-vv prints the stack trace of a failure (debug), -v does not, and an explicit --log-level wins over -vv', async () => {
    const stack = /^\s+at /m;
    expect((await keel(['validate', ...p.args, '-vv'])).stderr).toMatch(stack);
    expect((await keel(['validate', ...p.args, '-v'])).stderr).not.toMatch(stack);
    expect((await keel(['validate', ...p.args, '-vv', '--log-level', 'warn'])).stderr).not.toMatch(stack);
  });

  it('-v logs at info: converge logs each apply; without it, nothing', async () => {
    const other = project({ site: `resources:\n  - file: "{{ root }}/ok"\n    content: "ok\\n"\n` });
    try {
      const quiet = await keel(['converge', ...other.args]);
      const loud = await keel(['converge', ...good.args, '-v']);
      expect(quiet.code, quiet.stderr).toBe(0);
      expect(loud.code, loud.stderr).toBe(0);
      expect(quiet.stderr).not.toMatch(/"level":30/);
      expect(loud.stderr).toMatch(/"level":30,.*"msg":"apply"/);
    } finally {
      other.remove();
    }
  });

  it.each([
    ['history', ['history', '-i', 'INV']],
    ['lab status', ['lab', 'status', '--dir', 'DIR/lab']],
    ['secret encrypt', ['secret', 'encrypt', '--help']],
  ])('%s takes --log-level and --log-file (the file exists afterwards)', async (_name, args) => {
    const file = join(good.dir, `${_name.replace(' ', '-')}.log`);
    const r = await keel([...args.map((a) => a.replace('INV', good.inventory).replace('DIR', good.dir)), '--log-level', 'info', '--log-file', file]);
    expect(r.stderr).not.toMatch(/unknown option/);
    if (!args.includes('--help')) expect(existsSync(file)).toBe(true);
  });
});
