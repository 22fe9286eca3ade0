/**
 * `npm run build`: keel as one ES module bundle in dist/ (esbuild), what bin/keel.js runs. Every
 * command's code is its own chunk, loaded by the command's dynamic import() (src/cli/program.ts),
 * so a command reads a handful of files instead of hundreds. Libraries that are native, spawn
 * workers or load on first use (ajv, diff) stay in node_modules. Then the built-in schemas'
 * validators are generated beside the bundle (scripts/build-validators.ts). `tsx scripts/build.ts
 * DIR` builds into DIR instead (a test's own copy; inside the repository, where node_modules is found).
 */
import { rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { build } from 'esbuild';
import { writeValidators } from './build-validators.js';

export const DIST = process.argv[2] ? resolve(process.argv[2]) : join(import.meta.dirname, '..', 'dist');

rmSync(DIST, { recursive: true, force: true });
await build({
  entryPoints: { keel: join(import.meta.dirname, '..', 'src', 'cli', 'main.ts') },
  outdir: DIST,
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  // ajv and diff load on first use (createRequire), ssh2 and better-sqlite3 are native, pino starts workers by file name
  external: ['ajv', 'diff', 'ssh2', 'better-sqlite3', 'pino', 'chokidar'],
  // the bundled CommonJS libraries (nunjucks, commander) require node's own modules
  banner: { js: "import { createRequire as keelCreateRequire } from 'node:module'; const require = keelCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
const count = writeValidators(DIST);
const shown = relative(process.cwd(), DIST) || '.';
process.stdout.write(`build: ${shown}/keel.js and its chunks, ${count} validators in ${shown}/validators\n`);
