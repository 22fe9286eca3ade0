/**
 * A unified diff of two texts (what plan shows for a file or a crontab). The diff library loads
 * on the first diff, not with the modules: validate, graph and --help never need it.
 */
import { createRequire } from 'node:module';

type DiffLib = typeof import('diff');
const require = createRequire(import.meta.url);
let lib: DiffLib | undefined;

/** `--- a/...` / `+++ b/...` headers only, 3 lines of context. */
export function unifiedPatch(oldName: string, newName: string, before: string, after: string): string {
  lib ??= require('diff') as DiffLib;
  return lib.createTwoFilesPatch(oldName, newName, before, after, undefined, undefined, { context: 3, headerOptions: lib.FILE_HEADERS_ONLY });
}
