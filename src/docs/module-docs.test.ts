import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinModules } from '../../modules/index.js';
import { kindsOf } from '../module-set.js';
import { moduleDocs } from './module-docs.js';

describe('docs/modules.md', () => {
  it('is what the modules say about themselves (run `npm run docs` after changing a module)', () => {
    const generated = moduleDocs(kindsOf(builtinModules).map((k) => builtinModules.get(k)!));
    const committed = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'modules.md'), 'utf8');
    expect(committed).toBe(generated);
  });

  it('documents every parameter of every module', () => {
    for (const kind of kindsOf(builtinModules)) {
      const m = builtinModules.get(kind)!;
      expect(m.doc.length, `${kind} has a doc string`).toBeGreaterThan(40);
      for (const [key, p] of Object.entries(m.schema.properties)) {
        expect((p as { description?: string }).description, `${kind}.${key} has a description`).toBeTruthy();
      }
    }
  });
});
