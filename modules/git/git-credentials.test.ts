import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PrepareEnv } from '../../src/module.js';
import { planContext, probeOutput, recordingContext, sh, testFacts } from '../test-helpers.js';
import { credentialOptions, credentialReader, credentialStdin, splitRepoUrl, type GitCredentials } from './git-credentials.js';
import { gitModule, type GitSpec } from './git.js';

const dir = new URL('./fixtures/credentials', import.meta.url).pathname;
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => [f, JSON.parse(readFileSync(join(dir, f), 'utf8'))] as const);
const prepare = (spec: GitSpec): GitSpec => gitModule.prepare!(spec, {} as PrepareEnv);
const secretLines = (script: string, secret: string): string[] => script.split('\n').filter((l) => l.includes(secret));

describe('git credentials in the repo URL (fixtures)', () => {
  it.each(fixtures)('%s: the plan and the commands hold no credential', async (_name, fx) => {
    const spec = prepare(fx.spec);
    const secret: string = fx.credentials.username; // every fixture's user is a token-like value too
    const pass: string = fx.credentials.password || secret;

    // the probe script (on sh's stdin) sets them in one assignment; no command line holds them
    const probe = gitModule.probe(spec) as string;
    expect(secretLines(probe, pass)).toEqual([expect.stringMatching(/^KEEL_GIT_USERNAME=\S+ KEEL_GIT_PASSWORD=\S*$/)]);
    const current = gitModule.parse(spec, probeOutput(fx.probe.stdout, fx.probe.code), testFacts);
    const plan = gitModule.plan(spec, current, testFacts, planContext({}));
    const { commands, ...expected } = fx.expected;
    expect({ action: plan.action, changes: plan.changes }).toEqual(expected);
    expect(JSON.stringify({ plan, current })).not.toContain(pass);

    const runs: { script: string; stdin?: string | Buffer }[] = [];
    const { ctx } = recordingContext();
    if (plan.action !== 'none') await gitModule.apply({ ...ctx, run: async (script, opts) => (runs.push({ script, stdin: opts?.stdin }), '') }, plan, spec);
    for (const r of runs) {
      expect(r.script).not.toContain(pass);
      expect(r.script).not.toContain(secret);
      expect(r.script).not.toContain(encodeURIComponent(pass));
      expect(r.stdin).toBe(credentialStdin(fx.credentials));
      // every git that talks to the remote resets the host's helpers and asks keel's (quoted for su or not)
      const remoteGits = r.script.split(/&&|\|\||\n/).filter((x) => / (clone|fetch) /.test(x));
      expect(remoteGits.length).toBeGreaterThan(0);
      for (const l of remoteGits) expect(l).toMatch(/git -c credential\.helper= -c \S*credential\.helper=!f\(\)/);
    }
    expect(spec.credentials).toEqual(fx.credentials);
    expect(spec.repo).not.toContain('@');
    // what reaches the host, as in every module's fixtures: the values only on the script's stdin
    const rec = recordingContext();
    if (plan.action !== 'none') await gitModule.apply(rec.ctx, plan, spec);
    expect(rec.commands).toEqual(plan.action === 'none' ? [] : commands);
  });
});

describe('splitRepoUrl', () => {
  it('leaves URLs without http(s) user info byte for byte', () => {
    for (const u of ['https://git.example.com/a.git', 'ssh://git@host/a.git', 'ssh://git@host:2222/a.git', 'git@host:a.git', '/srv/repo.git', 'https://h/p@x', 'HTTPS://H/x']) {
      expect(splitRepoUrl(u, 'git /x')).toEqual({ url: u });
    }
  });
  it('says what is wrong with bad percent-encoding, without the value', () => {
    expect(() => splitRepoUrl('https://u:to%zzken@h/x', 'git /x')).toThrow('git /x: the credentials in repo are not valid percent-encoding');
    expect(() => splitRepoUrl('https://u:a%0Ab@h/x', 'git /x')).toThrow('contain a newline or NUL');
    expect(() => splitRepoUrl('ssh://git:hunter22@h:2222/x', 'git /x')).toThrow('git /x: repo has a password, which git can only use over http(s)');
    expect(() => splitRepoUrl('ssh://git:hunter22@h:2222/x', 'git /x')).not.toThrow('hunter22');
  });
  it('takes any user and password back out of a percent-encoded URL', () => {
    const value = fc.string({ unit: 'binary', minLength: 0, maxLength: 24 }).filter((s) => !/[\n\0]/.test(s));
    fc.assert(
      fc.property(value, value, fc.constantFrom('https://', 'http://', 'HTTPS://'), (username, password, scheme) => {
        const rest = 'host.example:8080/a/b.git?x=1';
        const got = splitRepoUrl(`${scheme}${encodeURIComponent(username)}:${encodeURIComponent(password)}@${rest}`, 'git /x');
        expect(got).toEqual({ url: `${scheme}${rest}`, credentials: { username, password } });
      }),
      { numRuns: 300 },
    );
  });
});

describe('the credential helper, run by the real git here', () => {
  it('hands git the values byte for byte, from stdin through the environment', async () => {
    // no newline or NUL (refused above); anything else, quotes, $, backslashes and spaces included
    const value = fc.string({ unit: 'binary', minLength: 1, maxLength: 16 }).filter((s) => !/[\n\0\r]/.test(s));
    await fc.assert(
      fc.asyncProperty(value, value, async (username, password) => {
        const creds: GitCredentials = { username, password };
        const script = [...credentialReader(), `printf 'protocol=https\\nhost=h\\n\\n' | HOME=/nonexistent git${credentialOptions(creds)} credential fill`].join('\n');
        // the helper's text (in git's argv) is the same whatever the values
        expect(credentialOptions(creds)).toBe(credentialOptions({ username: 'u', password: 'p' }));
        const r = await sh(script, { stdin: credentialStdin(creds) });
        expect(r.stderr.toString()).toBe('');
        expect(r.stdout.toString()).toBe(`protocol=https\nhost=h\nusername=${username}\npassword=${password}\n`);
      }),
      { numRuns: 25 },
    );
  });
});
