/** Temp inventories and states that target the test lab's real hosts. */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { labSsh } from '../../lab/index.js';
import type { LabTestHost } from '../lab/global-setup.js';

export interface LabProject {
  dir: string;
  inventory: string;
  writeState(name: string, text: string): void;
}

/** A project dir whose inventory has `hosts` (extra keys per host) and the lab's key and known_hosts. */
export function labProject(lab: LabTestHost[], hosts: Record<string, Record<string, unknown>>, defaults: Record<string, unknown> = {}): LabProject {
  const dir = mkdtempSync(join(tmpdir(), 'keel-lab-test-'));
  mkdirSync(join(dir, 'states'));
  const inventory = join(dir, 'inventory.yaml');
  writeFileSync(
    inventory,
    stringify({
      defaults: { user: 'root', identity: lab[0].identity, known_hosts: lab[0].knownHosts, connect_timeout: 5, ...defaults },
      hosts,
    }, { lineWidth: 0 }), // yaml 2.9's line folding can split a surrogate pair (an emoji) in two
  );
  return { dir, inventory, writeState: (name, text) => writeFileSync(join(dir, 'states', `${name}.yaml`), text) };
}

/** Run a command on a lab host as root over the system ssh client (a hand-made change). */
export async function onHost(h: LabTestHost, script: string): Promise<string> {
  const res = await labSsh({ address: h.address, identity: h.identity, knownHosts: h.knownHosts, user: 'root' }, script, { timeoutMs: 60_000 });
  if (res.code !== 0) throw new Error(`ssh ${h.name} '${script}' exited ${res.code}: ${res.stderr}`);
  return res.stdout;
}
