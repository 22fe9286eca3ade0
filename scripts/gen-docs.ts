// Regenerates docs/modules.md from the built-in modules (npm run docs).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinModules } from '../modules/index.js';
import { kindsOf } from '../src/module-set.js';
import { moduleDocs } from '../src/docs/module-docs.js';

const out = join(import.meta.dirname, '..', 'docs', 'modules.md');
writeFileSync(out, moduleDocs(kindsOf(builtinModules).map((k) => builtinModules.get(k)!)));
console.log(`wrote ${out}`);
