/**
 * `--tags a,b`: resources tagged a or b. An empty list (`-t ''`, `-t ,`) would select every
 * resource, and a tag no resource has (a typo) would select none and report "in sync": both
 * are errors, the second naming the tags the selected hosts do have.
 */
import { ConfigError, UsageError } from '../errors.js';
import type { Resource } from './types.js';
import { closestMatch } from './suggest.js';

export function parseTags(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  const tags = raw.split(',').map((t) => t.trim()).filter(Boolean);
  if (tags.length === 0) throw new UsageError(`--tags ${JSON.stringify(raw)} names no tag`, { hint: 'give tags separated by commas (-t web,db), or leave --tags out to select every resource' });
  return [...new Set(tags)];
}

/** Throws when a tag is on no resource of the selected hosts. */
export function checkTags(tags: readonly string[], resources: Iterable<Pick<Resource, 'tags'>>): void {
  if (tags.length === 0) return;
  const known = new Set<string>();
  for (const r of resources) for (const t of r.tags) known.add(t);
  const unknown = tags.filter((t) => !known.has(t));
  if (unknown.length === 0) return;
  const names = unknown
    .map((t) => {
      const near = closestMatch(t, known);
      return `'${t}'${near ? ` (did you mean '${near}'?)` : ''}`;
    })
    .join(', ');
  const list = known.size ? [...known].sort().join(', ') : 'none';
  throw new ConfigError(`--tags: no resource of the selected hosts has the tag ${names}`, { hint: `known tags: ${list}` });
}
