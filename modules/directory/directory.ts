import { posix } from 'node:path';
import { KeelError } from '../../src/errors.js';
import type { BaseSpec, Change, Plan, ResourceModule } from '../../src/module.js';
import { shargs } from '../../src/shell.js';
import {
  assertAbsolutePath,
  attrChanges,
  attrsScript,
  fileProbe,
  groupSchema,
  modeSchema,
  normalizeMode,
  ownerSchema,
  parseFileProbe,
  type FileState,
} from '../shared/index.js';

export interface DirectorySpec extends BaseSpec {
  state?: 'present' | 'absent';
  owner?: string;
  group?: string;
  mode?: string;
  force?: boolean;
}

export type DirectorySteps =
  | { op: 'mkdir'; path: string; mode: string; owner?: string; group?: string }
  | { op: 'attrs'; path: string; mode?: string; owner?: string; group?: string }
  | { op: 'rmdir'; path: string; force: boolean };

const doc = `Manages a directory: its existence, mode, owner and group (not its contents).
The name is the directory's absolute path.

Parameters:
- state (present | absent, default present).
- mode (string, e.g. "0755"): permission bits. Default "0755" when the directory is created;
  unset leaves the mode of an existing directory as it is.
- owner, group (string, name or numeric id): unset leaves them as they are.
- force (boolean, default false): with state absent, remove the directory and everything in it
  (rm -rf). Without force only an empty directory is removed (rmdir), and a non-empty one is an
  error at plan time.

Missing parent directories are created (mkdir -p) with default permissions; declare them as
resources of their own to manage them. A symbolic link to a directory counts as the directory
(its target's metadata is managed); a file at the path is an error.

Example:
\`\`\`yaml
- directory: /srv/app
  owner: app
  group: app
  mode: "0750"
- directory: /srv/old-release
  state: absent
  force: true
\`\`\``;

export const directoryModule: ResourceModule<DirectorySpec, FileState, DirectorySteps> = {
  kind: 'directory',
  doc,
  schema: {
    type: 'object',
    properties: {
      state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'Whether the directory exists.' },
      owner: ownerSchema,
      group: groupSchema,
      mode: { ...modeSchema, description: `${modeSchema.description} Default "0755" on create; unset leaves it as is.` },
      force: {
        type: 'boolean',
        default: false,
        description: 'With state absent, remove the directory with its contents (rm -rf) instead of only when empty.',
      },
    },
    additionalProperties: false,
  },
  autoRequires(spec) {
    const parent = posix.dirname(spec.name);
    return parent === '/' || parent === spec.name ? [] : [`directory:${parent}`];
  },

  paths: (spec) => [{ path: spec.name, use: 'directory' }],

  prepare(spec) {
    assertAbsolutePath('directory', spec.name);
    return spec;
  },

  probe: (spec) => fileProbe(spec.name, { follow: true, checkEmpty: spec.state === 'absent' }),
  parse: (spec, out) => parseFileProbe(spec.name, out),

  plan(spec, cur): Plan<DirectorySteps> {
    const path = spec.name;
    if (cur.type !== 'absent' && cur.type !== 'dir') {
      throw new KeelError('E_CONFLICT', `${path} exists and is not a directory (${cur.type})`, {
        hint: 'remove it first, or manage it with the file module',
      });
    }
    if (spec.state === 'absent') {
      if (cur.type === 'absent') return { action: 'none', changes: [] };
      if (cur.isLink) {
        throw new KeelError('E_CONFLICT', `${path} is a symbolic link to a directory; keel will not remove it`);
      }
      if (path === '/') throw new KeelError('E_CONFLICT', 'refusing to remove /');
      if (!spec.force && cur.empty === false) {
        throw new KeelError('E_CONFLICT', `${path} is not empty`, {
          hint: 'set force: true to remove it with its contents',
        });
      }
      return {
        action: 'delete',
        changes: [{ field: 'state', from: 'present', to: 'absent' }],
        steps: { op: 'rmdir', path, force: spec.force === true },
      };
    }
    if (cur.type === 'absent') {
      const mode = normalizeMode(spec.mode ?? '0755');
      const changes: Change[] = [{ field: 'state', from: 'absent', to: 'present' }, { field: 'mode', from: null, to: mode }];
      if (spec.owner !== undefined) changes.push({ field: 'owner', from: null, to: spec.owner });
      if (spec.group !== undefined) changes.push({ field: 'group', from: null, to: spec.group });
      return { action: 'create', changes, steps: { op: 'mkdir', path, mode, owner: spec.owner, group: spec.group } };
    }
    const changes = attrChanges(spec, cur);
    if (changes.length === 0) return { action: 'none', changes: [] };
    const step: DirectorySteps = { op: 'attrs', path };
    for (const c of changes) step[c.field as 'mode' | 'owner' | 'group'] = c.to as string;
    return { action: 'update', changes, steps: step };
  },

  async apply(ctx, plan) {
    const s = plan.steps;
    if (!s) return;
    switch (s.op) {
      case 'mkdir':
        await ctx.run([shargs('mkdir', '-p', '--', s.path), attrsScript(s.path, s)].join(' && '));
        return;
      case 'attrs':
        await ctx.run(attrsScript(s.path, s));
        return;
      case 'rmdir':
        await ctx.run(s.force ? shargs('rm', '-rf', '--', s.path) : shargs('rmdir', '--', s.path));
        return;
    }
  },
};
