// `node --import ./trace-loads.mjs ...` with KEEL_TRACE_LOADS=FILE: every module the process loads
// (ES modules through a loader hook, CommonJS ones from require's cache at exit) is appended to
// FILE, one path or URL a line. Used by test/cli/lazy-load.test.ts.
import { appendFileSync, writeFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const out = process.env.KEEL_TRACE_LOADS;
if (out) {
  writeFileSync(out, '');
  register('./trace-loads-hooks.mjs', import.meta.url, { data: { out } });
  const cache = createRequire(import.meta.url)('node:module')._cache;
  process.on('exit', () => appendFileSync(out, Object.keys(cache).join('\n') + '\n'));
}
