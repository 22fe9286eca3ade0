/** keel completion: print the script, or (what the script asks for on Tab) the inventory's names. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parse } from 'yaml';
import { completionScript } from './completion.js';

export function printScript(program: Command, shell: 'bash' | 'zsh'): void {
  process.stdout.write(completionScript(program, shell));
}

/**
 * Host and group names of the inventory FILE, one per line, read from its YAML alone: Tab runs no
 * inventory script (`sources:`), decrypts nothing, and never prints an error (no inventory here,
 * or a broken one: no names). Only names made of ordinary characters are offered to the shell.
 */
export function printNames(inventory: string): void {
  let doc: unknown;
  try {
    doc = parse(readFileSync(inventory, 'utf8'));
  } catch {
    return;
  }
  const names = new Set<string>();
  const keys = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : []);
  const inv = (doc ?? {}) as { hosts?: unknown; groups?: Record<string, { hosts?: unknown }> };
  for (const h of keys(inv.hosts)) names.add(h);
  for (const g of keys(inv.groups)) {
    names.add(g);
    const hosts = inv.groups![g]?.hosts;
    for (const h of Array.isArray(hosts) ? hosts.filter((x): x is string => typeof x === 'string') : keys(hosts)) names.add(h);
  }
  process.stdout.write([...names].filter((n) => /^[A-Za-z0-9._:@-]+$/.test(n)).map((n) => `${n}\n`).join(''));
}
