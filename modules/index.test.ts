import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { resourceSchema } from '../src/config/resource-schema.js';
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
  for (const m of builtinModules.values()) {
    describe(m.kind, () => {
      it('is in the set under its kind', () => expect(builtinModules.get(m.kind)).toBe(m));

      it('has a strict, documented schema', () => {
        const ajv = new Ajv({ strict: true, allErrors: true });
        expect(() => ajv.compile(m.schema)).not.toThrow();
        expect(undocumented(m.schema)).toEqual([]);
      });

      it("accepts its doc's examples", () => {
        const yaml = /```yaml\n([\s\S]*?)```/.exec(m.doc)?.[1];
        expect(yaml).toBeDefined();
        // State files are rendered before validation: stand in for the variables.
        const rendered = yaml!.replace(/\{\{\s*\w+\s*\}\}/g, '/srv/example');
        const items = parse(rendered) as Record<string, unknown>[];
        expect(items.some((item) => m.kind in item), `an example of ${m.kind} itself`).toBe(true);
        for (const item of items) {
          // An example may show companions (a service beside its unit): check each against its own module.
          const kind = Object.keys(item).find((k) => builtinModules.get(k))!;
          // The whole resource schema: the module's own keys plus name and the common keys.
          const validate = new Ajv({ strict: true }).compile(resourceSchema(builtinModules.get(kind)!));
          const { [kind]: name, ...params } = item;
          for (const one of Array.isArray(name) ? name : [name]) {
            expect(typeof one).toBe('string');
            expect(validate({ name: one, ...params }), JSON.stringify(validate.errors)).toBe(true);
          }
        }
      });
    });
  }

  it('file rejects content with source, and bad modes', () => {
    const validate = new Ajv({ strict: true }).compile(builtinModules.get('file')!.schema);
    expect(validate({ content: 'a', source: 'b' })).toBe(false);
    expect(validate({ mode: '0644' })).toBe(true);
    expect(validate({ mode: '644' })).toBe(true);
    expect(validate({ mode: 644 })).toBe(false);
    expect(validate({ mode: '0999' })).toBe(false);
    expect(validate({ state: 'gone' })).toBe(false);
  });
});
