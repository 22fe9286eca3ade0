/** keel's configuration: inventory and state files -> per-host Resource[] with precise errors. */
export type { Resource, SkippedResource, CompiledHost, HostConfig, GroupConfig, Inventory } from './types.js';
export { loadInventory, type LoadInventoryOptions } from './inventory.js';
export { compileHost, compileHostStates, validateInventory } from './compile.js';
export { selectHosts } from './limit.js';
export { parseTags, checkTags } from './tags.js';
export { parseVarArgs, mergeVars, type Vars } from './vars.js';
export { makeRenderer, fileLocation, hasTemplate, type Renderer, type TextLocation } from './render.js';
export { formatErrors, dedupeErrors, flattenErrors } from './format.js';
export { resourceSchema } from './resource-schema.js';
export { COMMON_KEYS, RELATION_KEYS } from './state-file.js';
