/** keel completion: print the script, or (what the script asks for on Tab) the inventory's names. */
import type { Command } from 'commander';
import { loadInventory } from '../config/index.js';
import { completionScript } from './completion.js';

export function printScript(program: Command, shell: 'bash' | 'zsh'): void {
  process.stdout.write(completionScript(program, shell));
}

/** Host and group names, one per line; nothing (and exit 0) when the inventory cannot be read: Tab must never print an error. */
export async function printNames(inventory: string): Promise<void> {
  try {
    // secrets stay encrypted: names need no key
    const inv = loadInventory(inventory, { secrets: new Map() });
    process.stdout.write([...inv.hosts.keys(), ...inv.groups.keys()].map((n) => `${n}\n`).join(''));
  } catch {
    // no inventory here, or a broken one: no names
  }
}
