/** What modules owning files share: probe, plan and apply of a file's state, contents and metadata. */
export { modeSchema, normalizeMode, sameMode } from './mode.js';
export { assertAbsolutePath, parentDirs } from './paths.js';
export { fileProbe, parseFileProbe, MAX_DIFF_BYTES } from './file-probe.js';
export type { FileState, FileType, FileProbeOptions } from './file-probe.js';
export { desiredContent, contentDiff, isDiffableText, sha256 } from './content.js';
export type { DesiredContent } from './content.js';
export { planFile, attrChanges, principalMatches } from './file-plan.js';
export type { DesiredFile, DesiredAttrs, FileSteps } from './file-plan.js';
export { applyFileSteps, attrsScript } from './file-apply.js';
export { ownerSchema, groupSchema, toolNameSchema, fileAttributeProperties } from './schemas.js';
