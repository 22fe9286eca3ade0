import { isUtf8 } from 'node:buffer';
import { ConfigError, KeelError } from '../../src/errors.js';
import type { BaseSpec, Plan, ResourceModule } from '../../src/module.js';
import {
  applyFileSteps,
  assertAbsolutePath,
  desiredContent,
  fileProbe,
  groupSchema,
  MAX_DIFF_BYTES,
  modeSchema,
  ownerSchema,
  parentDirs,
  parseFileProbe,
  planFile,
  type FileState,
  type FileSteps,
} from '../shared/index.js';
import { editLines, type LineEdit } from './edit.js';

export interface LineSpec extends BaseSpec {
  text?: string;
  match?: string;
  insert_after?: string;
  insert_before?: string;
  state?: 'present' | 'absent';
  create?: boolean;
  mode?: string;
  owner?: string;
  group?: string;
  backup?: boolean;
}

const doc = `Ensures that one line of a text file is present (added or replaced) or absent, leaving the
rest of the file alone, like Ansible's lineinfile. The name is the file's absolute path.

Parameters:
- text (string, one line; required when state is present): the line to ensure.
- match (regular expression): with state present, the last line matching it is replaced by
  text; when no line matches, a line equal to text is enough, else text is inserted. With
  state absent, every line matching it is removed. Write it so that it also matches text
  (\`^#?PermitRootLogin\` for \`PermitRootLogin no\`): then a second run finds text and changes
  nothing, however many lines matched at first.
- insert_after / insert_before (regular expression, at most one): where text is inserted when
  neither match nor an equal line is found: after (before) the last line matching it. With
  neither, or when no line matches, text is appended at the end.
- state (present | absent, default present): absent removes every line matching match, or every
  line equal to text when match is unset.
- create (boolean, default false): when the file does not exist, create it with just the line.
  Without it, a missing file is a plan error (with state absent, a missing file is fine).
- mode (default "0644"), owner, group: for the file created by create only; an existing file
  keeps its mode, owner and group (manage them with the file module).
- backup (boolean, default false): before changing it, copy the old file to
  \`<path>.keel-bak-<UTC timestamp>.<random>\` (a random tail keeps every backup).

Patterns are JavaScript regular expressions (RegExp syntax, no flags: spell case-insensitive parts
out, as \`[Pp]ort\`), searched in each line without its line terminator, so \`^\` and \`$\`
are the line's start and end; quote them in single quotes in YAML to keep backslashes as they are. A line that is replaced keeps its terminator and
inserted lines take the file's (that of its first line): CRLF files stay CRLF. A file without a
final newline keeps it so, unless a line is appended after its last line. The file is rewritten
atomically and the plan shows the unified diff; files over 256 KiB are refused.

Several line resources may edit one file (each with its own \`id\`), with at most one file
resource without content for its mode, owner and group: they are applied one after another,
each to the bytes the previous one left. A file with content, a template or a directory on the
same path is an error (see one owner per path in docs/states.md); so, at the end of a converge,
is a line that a later one on the file undid.

Example:
\`\`\`yaml
- line: /etc/ssh/sshd_config
  id: sshd-no-root
  match: "^#?PermitRootLogin"
  text: "PermitRootLogin no"
- line: /etc/hosts
  text: "10.0.0.5 db1"
  insert_after: '^127\\.0\\.0\\.1'
- line: /etc/default/app
  match: "^DEBUG="
  state: absent
- line: /etc/app/flags
  text: "feature_x=on"
  create: true
  mode: "0640"
\`\`\``;

const isAbsent = (spec: LineSpec): boolean => (spec.state ?? 'present') === 'absent';

function compile(spec: LineSpec, key: 'match' | 'insert_after' | 'insert_before'): RegExp | undefined {
  const src = spec[key];
  if (src === undefined) return undefined;
  try {
    return new RegExp(src);
  } catch (e) {
    throw new ConfigError(`${key} is not a valid regular expression: ${(e as Error).message}`, {
      resource: `line:${spec.name}`,
      cause: e,
    });
  }
}

export function lineEdit(spec: LineSpec): LineEdit {
  return {
    state: isAbsent(spec) ? 'absent' : 'present',
    text: spec.text,
    match: compile(spec, 'match'),
    insertAfter: compile(spec, 'insert_after'),
    insertBefore: compile(spec, 'insert_before'),
  };
}

function plan(spec: LineSpec, cur: FileState): Plan<FileSteps> {
  const path = spec.name;
  const edit = lineEdit(spec);
  if (cur.type === 'absent') {
    if (edit.state === 'absent') return { action: 'none', changes: [] };
    if (!spec.create) {
      throw new KeelError('E_PLAN', `${path}: file does not exist`, { hint: 'set create: true to create it with just the line' });
    }
    const content = editLines('', edit);
    return planFile(
      { path, state: 'present', content: desiredContent(content), mode: spec.mode, owner: spec.owner, group: spec.group },
      cur,
    );
  }
  if (cur.type === 'link') {
    throw new KeelError('E_CONFLICT', `${path} is a symbolic link to ${cur.linkTarget ?? '?'}`, {
      hint: 'name the file it points to: keel edits a file in place and would replace the link',
    });
  }
  if (cur.type !== 'file') {
    throw new KeelError('E_CONFLICT', `${path} is ${cur.type === 'dir' ? 'a directory' : 'not a regular file'}`);
  }
  if (!cur.readable || cur.sha256 === undefined) {
    throw new KeelError('E_PROBE', `cannot read ${path} to edit its lines`, { hint: 'probe as a user who can read it (become: true)' });
  }
  if (cur.content === undefined) {
    throw new KeelError('E_PLAN', `${path} is larger than ${MAX_DIFF_BYTES / 1024} KiB (${cur.size ?? '?'} bytes): line edits need its contents`, {
      hint: 'manage the whole file with the file or template module',
    });
  }
  if (!isUtf8(cur.content) || cur.content.includes(0)) {
    throw new KeelError('E_PLAN', `${path} is not UTF-8 text: keel edits lines of text files only`);
  }
  const before = cur.content.toString('utf8');
  const after = editLines(before, edit);
  if (after === before) return { action: 'none', changes: [] };
  // planFile keeps the file's mode, owner and group: none is set here.
  return planFile({ path, state: 'present', content: desiredContent(after), backup: spec.backup }, cur);
}

const regexSchema = (what: string) => ({ type: 'string', minLength: 1, description: what }) as const;

export const lineModule: ResourceModule<LineSpec, FileState, FileSteps> = {
  kind: 'line',
  doc,
  schema: {
    type: 'object',
    properties: {
      text: {
        type: 'string',
        pattern: '^[^\\r\\n]*$',
        description: 'The line to ensure (without a line terminator). Required unless state is absent.',
      },
      match: regexSchema('Regular expression: the last matching line is replaced by text (state absent: every matching line is removed).'),
      insert_after: regexSchema('Regular expression: insert text after the last matching line when match finds nothing.'),
      insert_before: regexSchema('Regular expression: insert text before the last matching line when match finds nothing.'),
      state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'Whether the line is in the file.' },
      create: {
        type: 'boolean',
        default: false,
        description: 'Create a missing file with just the line (else a missing file is an error).',
      },
      mode: { ...modeSchema, description: `${modeSchema.description} For a file created by create only; default "0644".` },
      owner: { ...ownerSchema, description: 'Owning user (name or numeric uid) of a file created by create.' },
      group: { ...groupSchema, description: 'Owning group (name or numeric gid) of a file created by create.' },
      backup: {
        type: 'boolean',
        default: false,
        description: 'Copy the old file to <path>.keel-bak-<timestamp>.<random> before changing it.',
      },
    },
    additionalProperties: false,
    // text is required unless state is absent (written so that Ajv's strict mode accepts it).
    // "match or text with absent" and "insert_after or insert_before" are checked by prepare(),
    // whose messages say so plainly.
    if: { type: 'object', properties: { state: { const: 'absent' } }, required: ['state'] },
    else: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
  },
  autoRequires: (spec) => parentDirs(spec.name).map((d) => `directory:${d}`),
  paths: (spec) => [{ path: spec.name, use: 'lines' }],

  prepare(spec) {
    assertAbsolutePath('line', spec.name);
    const resource = `line:${spec.name}`;
    if (spec.insert_after !== undefined && spec.insert_before !== undefined) {
      throw new ConfigError('set insert_after or insert_before, not both', { resource });
    }
    if (!isAbsent(spec) && spec.text === undefined) throw new ConfigError('text is required', { resource });
    if (isAbsent(spec) && spec.text === undefined && spec.match === undefined) {
      throw new ConfigError('state absent needs match or text', { resource });
    }
    const attrs = (['mode', 'owner', 'group'] as const).filter((k) => spec[k] !== undefined);
    if (attrs.length && !spec.create) {
      throw new ConfigError(`${attrs.join(', ')} only apply with create: true`, {
        resource,
        hint: "manage an existing file's attributes with the file module",
      });
    }
    lineEdit(spec); // invalid patterns are configuration errors, found before any host is probed
    return spec;
  },

  probe: (spec) => fileProbe(spec.name, { sendContent: true }),
  parse: (spec, out) => parseFileProbe(spec.name, out),
  plan: (spec, cur) => plan(spec, cur),
  async apply(ctx, p) {
    if (p.steps) await applyFileSteps(ctx, p.steps);
  },
};
