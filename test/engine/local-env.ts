/**
 * A throwaway keel project in a temp dir: an inventory with one `connection: local` host and
 * state files, paths under the temp dir. Shared by the engine and CLI tests.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface Project {
  /** The temp dir; states and inventory live here, managed paths under `root`. */
  dir: string;
  /** Where resources write: `<dir>/root`. */
  root: string;
  inventory: string;
  /** Write a state file `states/<name>.yaml` (or any relative path). */
  write(rel: string, text: string): string;
  /** `-i <inventory> --var root=<root>` */
  args: string[];
  remove(): void;
}

export function project(states: Record<string, string>, inventory?: string): Project {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'keel-test-')));
  const root = join(dir, 'root');
  mkdirSync(root);
  const write = (rel: string, text: string) => {
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    return path;
  };
  const names = Object.keys(states);
  for (const [name, text] of Object.entries(states)) write(`states/${name}.yaml`, text);
  const inv = write(
    'inventory.yaml',
    inventory ?? `hosts:\n  localhost:\n    connection: local\n    states: [${names.join(', ')}]\n`,
  );
  return {
    dir,
    root,
    inventory: inv,
    write,
    args: ['-i', inv, '--var', `root=${root}`],
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A file's permission bits as an octal string ("0640"). */
export function modeOf(stat: { mode: number }): string {
  return '0' + (stat.mode & 0o7777).toString(8).padStart(3, '0');
}
