/**
 * A ```sh block of the docs run as a reader types it: line by line in a shell, with `keel` on
 * PATH as `npm link` puts it there (bin/keel.js: the bundle, built once per test process), in
 * one of the prepared projects below. Each line must exit as it says (`(exit 2)` in its comment,
 * or the block's note `exit`; else 0), and a comment that quotes the output (`# lab1: Plan: 6 to
 * add, ...`, or `# superbook: "Hello ..."`) must be what it printed. The block's note
 * (DocNote) skips a line with a reason, does a step of the test's in place of a line (`keel lab
 * up`: the test lab's hosts) or after one (what the docs ask the reader to do in words).
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { DocBlock } from './docs-example.js';
import { REPO } from './keel.js';

/** The projects a block can run in (its note's `run`), and where they are made. */
export const DOC_PROJECTS: Record<string, string> = {
  empty: 'an empty directory (test/lab-ssh/docs-run.test.ts)',
  init: 'the project `keel init` writes, with lab1 as `keel lab up 1` leaves it, nothing of it on lab1 yet (test/lab-ssh/docs-run.test.ts)',
  drift: 'the init project after one `keel drift` (test/lab-ssh/docs-run.test.ts)',
  stack: 'the shipped inventory, states and bundles on lab4 and lab5 (test/stack/stack.test.ts)',
};

export interface DocLine {
  /** The command as the docs write it (continuations joined, the comment cut). */
  command: string;
  comment: string;
}

/** The lines of a ```sh block: commands with their comments; blank lines and comment lines dropped. */
export function docLines(text: string): DocLine[] {
  return text
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.trim().startsWith('#'))
    .map((l) => {
      const at = l.search(/\s+#\s/);
      return at < 0 ? { command: l.trim(), comment: '' } : { command: l.slice(0, at).trim(), comment: l.slice(at).replace(/^\s+#\s+/, '').trim() };
    });
}

/** The exit code a comment states, `(exit 2)` or `(exit 2: there is drift)`; not `(exit 0 in sync, 2 drift)`, a list of meanings. */
export function statedExit(comment: string): number | undefined {
  const m = /\bexit (\d)[):]/.exec(comment);
  return m ? Number(m[1]) : undefined;
}

/**
 * What a comment quotes of the output: `NAME: TEXT` is printed as it stands (up to a "..."),
 * `NAME: "TEXT"` means TEXT is printed; any other comment quotes nothing.
 */
export function quotedOutput(comment: string): string | undefined {
  const m = /^(\S+: )(.*)$/.exec(comment);
  if (!m) return undefined;
  const quoted = /^"([^"]+)"$/.exec(m[2]);
  return quoted ? quoted[1] : (m[1] + m[2]).split('...')[0].trim();
}

let keelBin: string | undefined;

/** A directory with `keel` in it, running a bundle built now from this checkout (once per process). */
export function keelOnPath(): string {
  if (keelBin) return keelBin;
  const dir = join(REPO, '.keel', `docs-run-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  const dist = join(dir, 'dist');
  execFileSync(process.execPath, ['--import', 'tsx', join(REPO, 'scripts', 'build.ts'), dist], { cwd: REPO, stdio: 'pipe' });
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'bin', 'keel'), `#!/bin/sh\nexec '${process.execPath}' '${join(dist, 'keel.js')}' "$@"\n`);
  chmodSync(join(dir, 'bin', 'keel'), 0o755);
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return (keelBin = join(dir, 'bin'));
}

export interface LineResult {
  command: string;
  code: number;
  stdout: string;
  stderr: string;
}

/** A step of the test's own, named by a block's note (`instead`, `then`): it runs in the line's directory, after the line it follows. */
export type DocStep = (ctx: { cwd: string; last?: LineResult }) => void | Promise<void>;

export interface DocRunOptions {
  /** Where the block's first line runs. */
  cwd: string;
  /** The steps the blocks' notes name. */
  steps: Record<string, DocStep>;
  /** Text of the docs that is another here (a lab host's address in the docs, the test lab's here). */
  replace?: [string, string][];
  env?: NodeJS.ProcessEnv;
  /** Commands (by prefix) the test runs with --json added, to read their report. */
  json?: string[];
  timeoutMs?: number;
}

/** The value of `map` for the first key that `command` starts with; `used` collects the keys that matched. */
function byPrefix<T>(map: Record<string, T> | undefined, command: string, used: Set<string>): T | undefined {
  const key = Object.keys(map ?? {}).find((k) => command.startsWith(k));
  if (key === undefined) return undefined;
  used.add(key);
  return map![key];
}

function runLine(script: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', script], { cwd, env, timeout: timeoutMs, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout: stdout.toString(), stderr: stderr.toString() });
    });
  });
}

/** Run a block line by line as its note says; every line's exit code and quoted output is checked. The lines' results, in order. */
export async function runDocBlock(b: DocBlock, opts: DocRunOptions): Promise<LineResult[]> {
  const note = b.note ?? {};
  const used = new Set<string>();
  const results: LineResult[] = [];
  const replace = [...(opts.replace ?? []), ...(note.at ? [[note.at, opts.cwd] as [string, string]] : [])];
  const cwdFile = join(mkdtempSync(join(tmpdir(), 'keel-docs-cwd-')), 'cwd');
  const env = { ...process.env, ...opts.env, ...note.env, NO_COLOR: '1', PATH: `${keelOnPath()}:${process.env.PATH}` };
  let cwd = opts.cwd;
  try {
    for (const { command, comment } of docLines(b.text)) {
      const at = `${b.where}: ${command}`;
      const skipped = byPrefix(note.skip_lines, command, used);
      if (skipped !== undefined) {
        expect(skipped.length, `${at}: skip_lines needs a reason`).toBeGreaterThan(10);
        continue;
      }
      const instead = byPrefix(note.instead, command, used);
      if (instead !== undefined) {
        expect(opts.steps, `${at}: no step "${instead}"`).toHaveProperty([instead]);
        await opts.steps[instead]({ cwd, last: results.at(-1) });
        continue;
      }
      // sudo: the lab tests run as root already (and sudo's secure_path would hide this keel)
      let line = command.replace(/^sudo /, '');
      for (const [from, to] of replace) line = line.replaceAll(from, to);
      if (opts.json?.some((p) => command.startsWith(p))) line += ' --json';
      const r = await runLine(`${line}\n__rc=$?\npwd > '${cwdFile}'\nexit $__rc`, cwd, env, opts.timeoutMs ?? 120_000);
      cwd = readFileSync(cwdFile, 'utf8').trim();
      const result = { command, ...r };
      results.push(result);
      if (note.exit && command in note.exit) used.add(command);
      const expected = note.exit?.[command] ?? statedExit(comment) ?? 0;
      expect(r.code, `${at}\n${r.stdout}${r.stderr}`).toBe(expected);
      const says = quotedOutput(comment);
      if (says !== undefined) expect(r.stdout, at).toContain(says);
      const then = byPrefix(note.then, command, used);
      if (then !== undefined) {
        expect(opts.steps, `${at}: no step "${then}"`).toHaveProperty([then]);
        await opts.steps[then]({ cwd, last: result });
      }
    }
  } finally {
    rmSync(join(cwdFile, '..'), { recursive: true, force: true });
  }
  // a key that matches no line is a stale note
  const keys = [note.skip_lines, note.instead, note.then, note.exit].flatMap((m) => Object.keys(m ?? {}));
  expect(keys.filter((k) => !used.has(k)), `${b.where}: note keys that match no line`).toEqual([]);
  return results;
}
