/** One ajv instance for keel's config schemas: every error at once, defaults applied. */
import { Ajv } from 'ajv';

export const ajv = new Ajv({ allErrors: true, strict: false, verbose: true, useDefaults: true });
