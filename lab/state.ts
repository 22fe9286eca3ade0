/**
 * What a lab remembers: its name and hosts (in `<dir>/lab.json`) and, machine-wide, which lab
 * dir owns the names of a lab name (bridge, `keel-<host>` namespaces) in `/run/keel-lab/owner`
 * (`owner-<name>` for other names): one lab of each name runs on a machine at a time.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { KeelError } from '../src/errors.js';
import { DEFAULT_LAB_NAME, type LabNames } from './names.js';

export interface LabState {
  /** Absent in state written before labs had names: the default lab. */
  name?: string;
  subnet: string;
  imageDir: string;
  hosts: { name: string; address: string }[];
}

const OWNER_DIR = '/run/keel-lab';
const ownerFile = (names: LabNames) => `${OWNER_DIR}/owner${names.suffix}`;

export function readLabState(file: string): LabState | undefined {
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as LabState;
}

export function writeLabState(file: string, state: LabState): void {
  writeFileSync(file, JSON.stringify(state, null, 2) + '\n');
}

export const stateName = (state: LabState): string => state.name ?? DEFAULT_LAB_NAME;

export function labOwner(names: LabNames): string | undefined {
  const file = ownerFile(names);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() || undefined : undefined;
}

/**
 * Claim the lab name's machine-wide names for `dir`. `othersAlive` says whether the current
 * owner's lab still has live hosts: a dead owner's claim is taken over (labDown cleans its
 * leftovers).
 */
export function claimLab(names: LabNames, dir: string, othersAlive: (ownerDir: string) => boolean): void {
  const owner = labOwner(names);
  if (owner !== undefined && owner !== dir && othersAlive(owner)) {
    const flag = names.name === DEFAULT_LAB_NAME ? '' : ` --name ${names.name}`;
    throw new KeelError('E_LAB', `another keel lab named '${names.name}' is up on this machine (state dir ${owner})`, {
      hint: `take it down first (keel lab down${flag} --dir ${owner}), or give this lab another name (--name)`,
    });
  }
  mkdirSync(OWNER_DIR, { recursive: true });
  writeFileSync(ownerFile(names), `${dir}\n`);
}

export function releaseLab(names: LabNames, dir: string): void {
  if (labOwner(names) === dir) rmSync(ownerFile(names), { force: true });
}
