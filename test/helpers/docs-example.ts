/** The examples of the docs, as the tests that check and run them read them: the docs cannot drift from what works. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './keel.js';

/**
 * What a block needs besides itself, from an HTML comment just before it
 * (`<!-- docs-test: {...} -->`). For a ```yaml block: `vars`, `files` beside the state, `also`
 * (more resources to refer to), `env`, or `skip` (why it is not checked). For a ```sh block,
 * how test/lab-ssh/docs-run.test.ts runs it line by line (test/helpers/docs-run.ts):
 */
export interface DocNote {
  vars?: Record<string, unknown>;
  files?: Record<string, string>;
  also?: string;
  /** Environment of the block's lines (sh) or of loading an inventory block (yaml). */
  env?: Record<string, string>;
  skip?: string;
  /** The prepared project (and lab hosts) the block's lines run in: a key of DOC_PROJECTS. */
  run?: string;
  /** Why the block is not run at all (it is still parsed). */
  not_run?: string;
  /** A line whose command starts with KEY is not run, for the reason given. */
  skip_lines?: Record<string, string>;
  /** A line whose command starts with KEY is not run: the test does the named step instead (the test lab's hosts for `keel lab up`). */
  instead?: Record<string, string>;
  /** After a line whose command starts with KEY, the test does the named step the docs ask of the reader in words. */
  then?: Record<string, string>;
  /** The exit code of a command (the whole line before its comment) when its comment does not say `(exit N)`. */
  exit?: Record<string, number>;
  /** A directory the block's lines name that is the project's directory here (`/srv/ops`). */
  at?: string;
}

export interface DocBlock {
  /** `docs/x.md:LINE`, the line of the block's first line of text. */
  where: string;
  doc: string;
  /** The nearest heading above it. */
  heading: string;
  lang: string;
  text: string;
  note?: DocNote;
}

export const DOCS = ['README.md', ...readdirSync(join(REPO, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

/** Every ```yaml and ```sh block of README.md and docs/, with its docs-test note. */
export function docBlocks(): DocBlock[] {
  const out: DocBlock[] = [];
  for (const doc of DOCS) {
    const text = readFileSync(join(REPO, doc), 'utf8');
    for (const m of text.matchAll(/(?:<!-- docs-test: (\{.*\}) -->\n)?```(yaml|sh)\n([\s\S]*?)```/g)) {
      const before = text.slice(0, m.index);
      const line = before.split('\n').length + (m[1] ? 1 : 0);
      const heading = lastHeading(before);
      out.push({ where: `${doc}:${line}`, doc, heading, lang: m[2], text: m[3], note: m[1] ? (JSON.parse(m[1]) as DocNote) : undefined });
    }
  }
  return out;
}

/** The last Markdown heading of `text`, outside fenced blocks. */
function lastHeading(text: string): string {
  let fenced = false;
  let heading = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    else if (!fenced && /^#+ /.test(line)) heading = line;
  }
  return heading;
}

/** The first ```yaml block after the heading `heading` of docs/`doc`. */
export function docsYaml(doc: string, heading: string): string {
  const text = readFileSync(join(REPO, 'docs', doc), 'utf8');
  const at = text.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`docs/${doc} has no heading "${heading}"`);
  const m = /```yaml\n([\s\S]*?)```/.exec(text.slice(at));
  if (!m) throw new Error(`docs/${doc}: no yaml block after "${heading}"`);
  return m[1];
}
