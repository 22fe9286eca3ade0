import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { getModule } from '../src/registry.js';
import { builtinModules } from './index.js';

/** Every property, nested ones included, carries a description for the generated docs. */
function undocumented(schema: Record<string, unknown>, at = ''): string[] {
  const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  return Object.entries(props).flatMap(([k, p]) => [
    ...(typeof p.description === 'string' && p.description ? [] : [`${at}${k}`]),
    ...undocumented(p, `${at}${k}.`),
  ]);
}

describe('built-in modules', () => {
  for (const m of builtinModules) {
    describe(m.kind, () => {
      it('is registered', () => expect(getModule(m.kind)).toBe(m));

      it('has a strict, documented schema', () => {
        const ajv = new Ajv({ strict: true, allErrors: true });
        expect(() => ajv.compile(m.schema)).not.toThrow();
        expect(undocumented(m.schema)).toEqual([]);
      });

      it("accepts its doc's examples", () => {
        const yaml = /```yaml\n([\s\S]*?)```/.exec(m.doc)?.[1];
        expect(yaml).toBeDefined();
        const validate = new Ajv({ strict: true }).compile(m.schema);
        // State files are rendered before validation: stand in for the variables.
        const rendered = yaml!.replace(/\{\{\s*\w+\s*\}\}/g, '/srv/example');
        for (const item of parse(rendered) as Record<string, unknown>[]) {
          const { [m.kind]: name, ...params } = item;
          expect(typeof name).toBe('string');
          expect(validate(params), JSON.stringify(validate.errors)).toBe(true);
        }
      });
    });
  }

  it('file rejects content with source, and bad modes', () => {
    const validate = new Ajv({ strict: true }).compile(getModule('file')!.schema);
    expect(validate({ content: 'a', source: 'b' })).toBe(false);
    expect(validate({ mode: '0644' })).toBe(true);
    expect(validate({ mode: '644' })).toBe(true);
    expect(validate({ mode: 644 })).toBe(false);
    expect(validate({ mode: '0999' })).toBe(false);
    expect(validate({ state: 'gone' })).toBe(false);
  });
});
