/**
 * Running a dynamic inventory source: an executable that prints the inventory as JSON on stdout
 * (docs/inventory.md, "Dynamic inventory"). It runs as Ansible runs inventory scripts
 * (`SCRIPT --list`, cwd = the inventory's directory), once per load, with a timeout; a failure
 * is one ConfigError naming the script, its exit code (or the timeout) and its stderr's last lines.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { ConfigError, type SourcePos } from '../errors.js';
import type { PathSeg } from './source.js';

/** Seconds a source may run when its `timeout:` does not say. */
export const DEFAULT_SOURCE_TIMEOUT_S = 30;

/** Lines of stderr quoted in an error. */
const STDERR_LINES = 10;

export interface SourceRun {
  /** The executable, resolved. */
  exe: string;
  /** The executable as the user wrote it (for messages). */
  shown: string;
  cwd: string;
  timeoutS: number;
  /** Where the source is declared (a `sources:` entry); none for `-i SCRIPT`. */
  pos?: SourcePos;
}

/**
 * `-i FILE` is a script, not YAML, when it is a regular file the user may execute and its name
 * does not end in .yaml/.yml: a YAML inventory with an x bit (copied from a FAT disk, say)
 * stays YAML.
 */
export function isInventoryScript(file: string): boolean {
  if (['.yaml', '.yml'].includes(extname(file).toLowerCase())) return false;
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Run `exe ...args` and return its stdout; anything but a clean exit is a ConfigError. */
export function runSource(src: SourceRun, args: string[] = ['--list']): string {
  const r = spawnSync(src.exe, args, {
    // its own process group (Node honours `detached` here too; the types omit it): on a
    // timeout the whole group goes, not only the script
    ...({ detached: true } as object),
    cwd: src.cwd,
    encoding: 'utf8',
    timeout: src.timeoutS * 1000,
    killSignal: 'SIGKILL',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
  });
  const call = [src.shown, ...args].join(' ');
  const fail = (why: string, ran = true) => new ConfigError(`inventory script ${call} ${why}${ran ? stderrTail(r.stderr) : ''}`, { pos: src.pos });
  const code = (r.error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ETIMEDOUT') {
    killGroup(r.pid);
    throw fail(`timed out after ${src.timeoutS} s`);
  }
  if (code === 'ENOENT') throw fail('cannot run: no such file', false);
  if (code === 'EACCES') throw fail('cannot run: not executable (chmod +x it)', false);
  if (code === 'ENOBUFS') throw fail('printed more than 256 MiB');
  if (r.error) throw fail(`cannot run: ${r.error.message}`, false);
  if (r.signal) throw fail(`was killed by ${r.signal}`);
  if (r.status !== 0) throw fail(`exited with code ${r.status}`);
  return r.stdout;
}

function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // the group is gone already
  }
}

function stderrTail(stderr: string | null | undefined): string {
  const lines = (stderr ?? '').trimEnd().split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) return ' (stderr was empty)';
  return `; its stderr ends:\n${lines.slice(-STDERR_LINES).map((l) => `    ${l}`).join('\n')}`;
}

/** The `sources:` of inventory.yaml (schema-checked) as runs; paths relative to the inventory. */
export function sourceRuns(raw: unknown, dir: string, valueAt: (path: PathSeg[]) => SourcePos): SourceRun[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((s: { exec?: unknown; timeout?: unknown }, i) =>
    typeof s?.exec === 'string'
      ? [{ exe: resolve(dir, s.exec), shown: s.exec, cwd: dir, timeoutS: typeof s.timeout === 'number' ? s.timeout : DEFAULT_SOURCE_TIMEOUT_S, pos: valueAt(['sources', i, 'exec']) }]
      : [],
  );
}
