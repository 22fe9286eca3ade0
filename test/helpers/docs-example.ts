/** The examples of the docs, as the tests that run them read them: the docs cannot drift from what works. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './keel.js';

/** The first ```yaml block after the heading `heading` of docs/`doc`. */
export function docsYaml(doc: string, heading: string): string {
  const text = readFileSync(join(REPO, 'docs', doc), 'utf8');
  const at = text.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`docs/${doc} has no heading "${heading}"`);
  const m = /```yaml\n([\s\S]*?)```/.exec(text.slice(at));
  if (!m) throw new Error(`docs/${doc}: no yaml block after "${heading}"`);
  return m[1];
}

/** The first ```sh block after the heading `heading` of docs/`doc`, as lines. */
export function docsSh(doc: string, heading: string): string[] {
  const text = readFileSync(join(REPO, 'docs', doc), 'utf8');
  const at = text.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`docs/${doc} has no heading "${heading}"`);
  const m = /```sh\n([\s\S]*?)```/.exec(text.slice(at));
  if (!m) throw new Error(`docs/${doc}: no sh block after "${heading}"`);
  return m[1].split('\n').filter((l) => l.trim() !== '');
}
