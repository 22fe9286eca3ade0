// Regenerates docs/modules.md from the registered modules (npm run docs).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import '../modules/index.js';
import { getModule, moduleKinds } from '../src/registry.js';
import { moduleDocs } from '../src/docs/module-docs.js';

const out = join(import.meta.dirname, '..', 'docs', 'modules.md');
writeFileSync(out, moduleDocs(moduleKinds().map((k) => getModule(k)!)));
console.log(`wrote ${out}`);
