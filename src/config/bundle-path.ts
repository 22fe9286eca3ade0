/**
 * Where bundles are found: `bundles/NAME/bundle.yaml` beside the inventory, then in each folder
 * of `bundle_path:` (in order; the first folder that has NAME wins). Each bundle is read once
 * per inventory, whatever the number of hosts and instances.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseBundle, type Bundle } from './bundle-file.js';
import { closestMatch } from './suggest.js';
import type { Inventory } from './types.js';

const cache = new WeakMap<Inventory, Map<string, Bundle>>();

export function bundleDirs(inv: Inventory): string[] {
  return inv.bundlePath ?? [join(inv.dir, 'bundles')];
}

/** The bundle, or the message saying where it was looked for (with a did-you-mean). */
export function findBundle(inv: Inventory, name: string): Bundle | string {
  let bundles = cache.get(inv);
  if (!bundles) cache.set(inv, (bundles = new Map()));
  const known = bundles.get(name);
  if (known) return known;
  const dirs = bundleDirs(inv);
  const dir = /^[A-Za-z0-9][\w.-]*$/.test(name) ? dirs.map((d) => join(d, name)).find((d) => existsSync(join(d, 'bundle.yaml'))) : undefined;
  if (!dir) {
    const near = closestMatch(name, dirs.flatMap(bundleNames));
    return `bundle '${name}' not found: expected ${join(dirs[0], name, 'bundle.yaml')}${dirs.length > 1 ? ` (or in ${dirs.slice(1).join(', ')})` : ''}${near ? `; did you mean '${near}'?` : ''}`;
  }
  const bundle = parseBundle(name, dir);
  bundles.set(name, bundle);
  return bundle;
}

function bundleNames(dir: string): string[] {
  try {
    return readdirSync(dir).filter((d) => existsSync(join(dir, d, 'bundle.yaml')));
  } catch {
    return [];
  }
}
