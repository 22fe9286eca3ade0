/**
 * The docs that run (issue 11, item 9): every ```sh block of README.md and docs/ whose docs-test
 * note says `"run": PROJECT` is run line by line (test/helpers/docs-run.ts), with `keel` on PATH
 * as `npm link` puts it, in a project made here: `empty`, `init` (what `keel init` writes, on
 * lab1, nothing of it on the host yet) or `drift` (init after one `keel drift`). `keel lab up N`
 * is the test lab's lab1..labN, put where that command would. The stack's block (`run: stack`)
 * is the first build of test/stack/stack.test.ts. After getting-started's "A project of your
 * own" the project plans in sync and lab1 holds what the project says.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docBlocks } from '../helpers/docs-example.js';
import { DOC_PROJECTS, keelOnPath, runDocBlock, type DocStep } from '../helpers/docs-run.js';
import { labHosts, labSkip } from '../lab/lab-env.js';
import { onHost } from './lab-inventory.js';

const runHere = docBlocks().filter((b) => b.lang === 'sh' && b.note?.run && b.note.run !== 'stack');
/** What `keel init` leaves on lab1, removed before each block so that its plan starts from nothing. */
const INIT_PATHS = '/srv/hello /srv/greetings';

describe.skipIf(!!labSkip)('the shell examples of the docs, run line by line', () => {
  const lab = labSkip ? [] : labHosts();
  const h = lab[0];
  const root = mkdtempSync(join(tmpdir(), 'keel-docs-run-'));
  const template = join(root, 'init-template');
  const env = (more: NodeJS.ProcessEnv = {}) => ({ ...process.env, NO_COLOR: '1', PATH: `${keelOnPath()}:${process.env.PATH}`, ...more });
  const keel = (args: string[], cwd: string, more?: NodeJS.ProcessEnv) => execFileSync('keel', args, { cwd, env: env(more), encoding: 'utf8' });

  /** The test lab's first `n` hosts, as `keel lab up n` leaves them in `cwd`/.keel/lab (its inventory and hosts.ini cut to them). */
  const labUp = (n: number): DocStep => ({ cwd }) => {
    const from = process.env.KEEL_LAB_DIR!;
    const to = join(cwd, '.keel', 'lab');
    mkdirSync(to, { recursive: true });
    for (const f of readdirSync(from)) if (f !== 'inventory.yaml' && f !== 'hosts.ini' && f !== 'users') symlinkSync(join(from, f), join(to, f));
    const others = new Set(lab.slice(n).map((x) => x.name));
    const inv = parseDocument(readFileSync(join(from, 'inventory.yaml'), 'utf8'));
    for (const name of others) inv.deleteIn(['groups', 'lab', 'hosts', name]);
    writeFileSync(join(to, 'inventory.yaml'), inv.toString());
    const ini = readFileSync(join(from, 'hosts.ini'), 'utf8').split('\n').filter((l) => !others.has(l.split(/\s/)[0]));
    writeFileSync(join(to, 'hosts.ini'), ini.join('\n'));
  };
  /** lab1 as `keel lab up 1` leaves it for a project in `cwd`: the lab's key and known_hosts, lab1's address in the inventory. */
  const lab1: DocStep = ({ cwd }) => {
    mkdirSync(join(cwd, '.keel', 'lab'), { recursive: true });
    copyFileSync(h.identity, join(cwd, '.keel', 'lab', 'id_ed25519'));
    copyFileSync(h.knownHosts, join(cwd, '.keel', 'lab', 'known_hosts'));
    const inv = join(cwd, 'inventory.yaml');
    writeFileSync(inv, readFileSync(inv, 'utf8').replace('10.199.0.11', h.address));
  };
  const steps: Record<string, DocStep> = {
    'lab1, as keel lab up 1 leaves it': lab1,
    'lab1 to lab3, as keel lab up 3 leaves them': labUp(3),
    'add the recipient printed to secrets.recipients': ({ cwd, last }) => {
      const recipient = /^age1\S+$/m.exec(last!.stdout)?.[0];
      expect(recipient, last!.stdout).toBeDefined();
      writeFileSync(join(cwd, 'inventory.yaml'), `${readFileSync(join(cwd, 'inventory.yaml'), 'utf8')}secrets:\n  recipients: [${recipient}]\n`);
    },
    'paste the block under vars:': ({ cwd }) => {
      const block = readFileSync(join(cwd, 'paste-me'), 'utf8').replace(/^(?=.)/gm, '  ');
      expect(block).toMatch(/^ {2}db_password: !secret \|\n {4}-----BEGIN AGE ENCRYPTED FILE-----\n/);
      const inv = join(cwd, 'inventory.yaml');
      writeFileSync(inv, readFileSync(inv, 'utf8').replace(/^vars:\n/m, `vars:\n${block}`));
    },
    'the values are changed, added and encrypted': ({ cwd }) => {
      const text = readFileSync(join(cwd, 'inventory.yaml'), 'utf8');
      expect(text.match(/^ {2}(db_password|api_token): !secret \|$/gm)?.sort()).toEqual(['  api_token: !secret |', '  db_password: !secret |']);
      for (const clear of ['docs-run-password', 'another-password', 't0k']) expect(text).not.toContain(clear);
      // an editor that only shows the file: what the values are now, decrypted (nothing is saved)
      const shown = keel(['secret', 'edit', 'inventory.yaml'], cwd, { EDITOR: 'cat', KEEL_AGE_KEY_FILE: join(cwd, 'age.key') });
      expect(shown).toContain('  api_token: !secret "t0k"\n');
      expect(shown).toContain('  db_password: !secret "another-password"\n');
    },
  };
  /** Each project, made in a fresh directory. */
  const projects: Record<string, (dir: string) => Promise<void> | void> = {
    empty: () => undefined,
    init: async (dir) => {
      cpSync(template, dir, { recursive: true });
      await onHost(h, `rm -rf ${INIT_PATHS}`);
    },
    drift: async (dir) => {
      await projects.init(dir);
      const drift = spawnSync('keel', ['drift'], { cwd: dir, env: env(), encoding: 'utf8' });
      expect(drift.status, drift.stdout + drift.stderr).toBe(2);
    },
  };

  beforeAll(async () => {
    keel(['init', template], root);
    lab1({ cwd: template });
  });
  afterAll(async () => {
    await onHost(h, `rm -rf ${INIT_PATHS}`);
    rmSync(root, { recursive: true, force: true });
  });

  it('runs every block that says so, in a project it makes (or the stack test)', () => {
    expect(runHere.length).toBeGreaterThanOrEqual(9);
    expect(Object.keys(DOC_PROJECTS).sort()).toEqual([...Object.keys(projects), 'stack'].sort());
  });

  it.each(runHere.map((b) => [`${b.where} (${b.heading}), in ${b.note!.run}`, b] as const))('%s', async (_name, b) => {
    const dir = mkdtempSync(join(root, `${b.note!.run}-`));
    if (b.note!.run === 'empty') await onHost(h, `rm -rf ${INIT_PATHS}`);
    await projects[b.note!.run!](dir);
    const results = await runDocBlock(b, { cwd: dir, steps, env: { KEEL_AGE_KEY_FILE: join(dir, 'age.key') } });
    expect(results.length, 'lines run').toBeGreaterThan(0);
    if (b.heading === '## A project of your own, in one command') {
      // init made the project and cd'd into it: the picture, the saved plan, the host as converged
      const project = join(dir, 'myproject');
      expect(readFileSync(join(project, 'graph.svg'), 'utf8')).toContain('<svg');
      expect(existsSync(join(project, 'plan.keel'))).toBe(true);
      expect(keel(['plan'], project)).toContain('plan: 1 host(s), 0 drifted, 0 changed, 0 failed'); // and exit 0: in sync
      expect(await onHost(h, 'cat /srv/greetings/morning.txt; stat -c %a /srv/greetings/evening.txt')).toBe('Good morning from lab1\n600\n');
    }
  });
});
