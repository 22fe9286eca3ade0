/**
 * What a lab remembers: its hosts (in `<dir>/lab.json`) and, machine-wide, which lab dir owns the
 * bridge and the `keel-labN` namespaces (in `/run/keel-lab/owner`): names are global, so only one
 * lab runs on a machine at a time.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { KeelError } from '../src/errors.js';

export interface LabState {
  subnet: string;
  imageDir: string;
  hosts: { name: string; address: string }[];
}

const OWNER_DIR = '/run/keel-lab';
const OWNER_FILE = `${OWNER_DIR}/owner`;

export function readLabState(file: string): LabState | undefined {
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as LabState;
}

export function writeLabState(file: string, state: LabState): void {
  writeFileSync(file, JSON.stringify(state, null, 2) + '\n');
}

export function labOwner(): string | undefined {
  return existsSync(OWNER_FILE) ? readFileSync(OWNER_FILE, 'utf8').trim() || undefined : undefined;
}

/**
 * Claim the machine's lab names for `dir`. `othersAlive` says whether the current owner's lab
 * still has live hosts: a dead owner's claim is taken over (its leftovers are cleaned by labDown).
 */
export function claimLab(dir: string, othersAlive: (ownerDir: string) => boolean): void {
  const owner = labOwner();
  if (owner !== undefined && owner !== dir && othersAlive(owner)) {
    throw new KeelError('E_LAB', `another keel lab is up on this machine (state dir ${owner})`, {
      hint: `take it down first: keel lab down (in ${owner}), or labDown({dir: ${JSON.stringify(owner)}})`,
    });
  }
  mkdirSync(OWNER_DIR, { recursive: true });
  writeFileSync(OWNER_FILE, `${dir}\n`);
}

export function releaseLab(dir: string): void {
  if (labOwner() === dir) rmSync(OWNER_FILE, { force: true });
}
