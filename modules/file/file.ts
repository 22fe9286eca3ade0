import { isUtf8 } from 'node:buffer';
import { ConfigError, isKeelError } from '../../src/errors.js';
import type { BaseSpec, ResourceModule } from '../../src/module.js';
import {
  applyFileSteps,
  assertAbsolutePath,
  desiredContent,
  fileProbe,
  parentDirs,
  parseFileProbe,
  planFile,
  type DesiredContent,
  type FileState,
  type FileSteps,
  fileAttributeProperties,
} from '../shared/index.js';

export interface FileSpec extends BaseSpec {
  content?: string;
  source?: string;
  /** Set by prepare() when `source` is not UTF-8 text; not a user parameter. */
  content_base64?: string;
  state?: 'present' | 'absent';
  owner?: string;
  group?: string;
  mode?: string;
  backup?: boolean;
}

const doc = `Manages a regular file: its contents, mode, owner and group, or its absence.
The name is the file's absolute path.

Parameters:
- content (string): the whole contents of the file.
- source (string): a file to copy, relative to the state file that declares the resource
  (read on the controller). At most one of content and source; with neither, a missing file is
  created empty and the contents of an existing file are left alone.
- state (present | absent, default present): absent removes the file (rm -f).
- mode (string, e.g. "0644"): permission bits. Default "0644" when the file is created;
  unset leaves the mode of an existing file as it is.
- owner, group (string, name or numeric id): unset leaves them as they are.
- backup (boolean, default false): before overwriting contents, copy the old file to
  \`<path>.keel-bak-<UTC timestamp>.<random>\` (a random tail keeps every backup).

Contents are written atomically (a temp file beside the target, then rename): a new inode, so
the plan warns when the file has other hard links (they keep the old contents) or file
capabilities (dropped; set them again with setcap, seen where getcap is installed). The plan
shows a unified diff; binary files and files over 256 KiB show their sha256 hashes instead. A symbolic
link at the path is replaced by a regular file when content is set; a directory is an error.
A file with content (or source, or state absent) owns the whole path: any other resource on it
is an error. Without content it composes with line resources on the same path (see one owner
per path in docs/states.md).

Example:
<!-- docs-test: {"files": {"states/files/logo.png": "PNG"}} -->
\`\`\`yaml
- file: /etc/motd
  content: "Managed by keel\\n"
  mode: "0644"
- file: /etc/app/logo.png
  source: files/logo.png
  owner: app
  group: app
- file: /etc/cron.d/obsolete
  state: absent
\`\`\``;

function wanted(spec: FileSpec): DesiredContent | undefined {
  if (spec.content !== undefined) return desiredContent(spec.content);
  if (spec.content_base64 !== undefined) return desiredContent(Buffer.from(spec.content_base64, 'base64'));
  if (spec.source !== undefined) {
    throw new ConfigError(`file ${spec.name}: source ${spec.source} was not read (prepare() not called)`);
  }
  return undefined;
}

const wantsContent = (spec: FileSpec): boolean =>
  spec.content !== undefined || spec.source !== undefined || spec.content_base64 !== undefined;

export const fileModule: ResourceModule<FileSpec, FileState, FileSteps> = {
  kind: 'file',
  doc,
  schema: {
    type: 'object',
    properties: {
      content: { type: 'string', description: 'The whole contents of the file.' },
      source: {
        type: 'string',
        minLength: 1,
        description: 'File to copy, relative to the declaring state file; exclusive with content.',
      },
      ...fileAttributeProperties,
    },
    additionalProperties: false,
    // content excludes source (written so that Ajv's strict mode accepts it).
    if: { type: 'object', properties: { content: { type: 'string' } }, required: ['content'] },
    then: { type: 'object', properties: { source: false } },
  },
  autoRequires: (spec) => parentDirs(spec.name).map((d) => `directory:${d}`),
  // Without content the file leaves its bytes to others: line edits compose with it.
  paths: (spec) => [{ path: spec.name, use: (spec.state ?? 'present') === 'absent' || wantsContent(spec) ? 'whole' : 'attrs' }],

  prepare(spec, env) {
    assertAbsolutePath('file', spec.name);
    if (spec.content !== undefined && spec.source !== undefined) {
      throw new ConfigError(`file ${spec.name}: set content or source, not both`);
    }
    if (spec.source === undefined || (spec.state ?? 'present') === 'absent') return spec;
    let bytes: Buffer;
    try {
      bytes = env.readFile(spec.source);
    } catch (e) {
      if (isKeelError(e)) throw e;
      throw new ConfigError(`file ${spec.name}: cannot read source ${spec.source}: ${(e as Error).message}`, { cause: e });
    }
    // The prepared spec carries the bytes instead of the path, so probe and plan stay pure.
    const { source: _source, ...rest } = spec;
    return isUtf8(bytes) ? { ...rest, content: bytes.toString('utf8') } : { ...rest, content_base64: bytes.toString('base64') };
  },

  probe(spec) {
    if ((spec.state ?? 'present') === 'absent') return fileProbe(spec.name);
    return fileProbe(spec.name, { hash: true, wantSha256: wanted(spec)?.sha256 });
  },

  parse: (spec, out) => parseFileProbe(spec.name, out),

  plan(spec, current) {
    const absent = (spec.state ?? 'present') === 'absent';
    return planFile(
      {
        path: spec.name,
        state: absent ? 'absent' : 'present',
        content: absent ? undefined : wanted(spec),
        mode: spec.mode,
        owner: spec.owner,
        group: spec.group,
        backup: spec.backup,
      },
      current,
    );
  },

  async apply(ctx, plan) {
    if (plan.steps) await applyFileSteps(ctx, plan.steps);
  },
};
