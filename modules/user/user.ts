import { KeelError } from '../../src/errors.js';
import type { BaseSpec, Change, Plan, ResourceModule } from '../../src/module.js';
import { shargs, shq } from '../../src/shell.js';
import { assertAccountName, readKeyValues, type ScriptSteps } from './accounts.js';

export interface UserSpec extends BaseSpec {
  uid?: number;
  group?: string;
  groups?: string[];
  append?: boolean;
  shell?: string;
  home?: string;
  create_home?: boolean;
  system?: boolean;
  comment?: string;
  remove?: boolean;
  state?: 'present' | 'absent';
}

export interface UserState {
  exists: boolean;
  uid?: number;
  gid?: number;
  /** Name of the primary group; undefined when the gid has no group entry. */
  group?: string;
  /** Supplementary groups (every group of `id -Gn` but the primary one), sorted. */
  groups?: string[];
  comment?: string;
  home?: string;
  shell?: string;
}

const doc = `Manages a local user account (useradd, usermod, userdel). The name is the login name.

Parameters:
- uid (integer): the user id. Unset: chosen on create, left as is afterwards.
- group (string, name or numeric gid): the primary group, which must exist. Unset: on create,
  useradd's default (on Debian a new group named like the user, which fails when such a group
  already exists: then set group to it); left as is afterwards.
- groups (list of group names): supplementary groups. With append false (the default) the user
  is in exactly these groups (an empty list removes all); with append true they are added and
  other memberships are kept. Unset: memberships are left as they are.
- append (boolean, default false): see groups.
- shell (string, absolute path), home (string, absolute path), comment (string, the GECOS
  field): unset leaves them as they are. None of them may hold ":" or an ASCII control
  character (useradd refuses them). A changed home is set with usermod -d: the old
  directory's contents are not moved.
- create_home (boolean, default true): create the home directory (useradd -m) on create.
- system (boolean, default false): create a system account (useradd -r); only used on create.
- state (present | absent, default present): absent removes the account (userdel).
- remove (boolean, default false): with state absent, also remove the home directory and mail
  spool (userdel -r).

The groups named in group and groups are required automatically when they are declared.

Example:
\`\`\`yaml
- group: app
- user: app
  group: app
  groups: [www-data]
  shell: /bin/bash
  home: /srv/app
  comment: "Application user"
- user: olduser
  state: absent
  remove: true
\`\`\``;

const isId = (s: string): boolean => /^\d+$/.test(s);

function wantedGroups(spec: UserSpec, cur: UserState): string[] | undefined {
  if (spec.groups === undefined) return undefined;
  const primary = spec.group ?? cur.group;
  const want = new Set(spec.groups.filter((g) => g !== primary));
  if (spec.append) for (const g of cur.groups ?? []) want.add(g);
  return [...want].sort();
}

function createPlan(spec: UserSpec): Plan<ScriptSteps> {
  const changes: Change[] = [{ field: 'state', from: 'absent', to: 'present' }];
  const args: (string | number)[] = ['useradd'];
  const add = (field: string, flag: string, value: string | number | undefined): void => {
    if (value === undefined) return;
    changes.push({ field, from: null, to: value });
    args.push(flag, value);
  };
  add('uid', '-u', spec.uid);
  add('group', '-g', spec.group);
  if (spec.groups !== undefined) {
    const groups = [...new Set(spec.groups.filter((g) => g !== spec.group))].sort();
    changes.push({ field: 'groups', from: null, to: groups });
    if (groups.length > 0) args.push('-G', groups.join(','));
  }
  add('shell', '-s', spec.shell);
  add('home', '-d', spec.home);
  add('comment', '-c', spec.comment);
  args.push(spec.create_home === false ? '-M' : '-m');
  if (spec.system) args.push('-r');
  return { action: 'create', changes, steps: { script: shargs(...args, '--', spec.name) } };
}

/** Pure: the useradd/usermod/userdel script that turns `cur` into `spec`. */
export function planUser(spec: UserSpec, cur: UserState): Plan<ScriptSteps> {
  if ((spec.state ?? 'present') === 'absent') {
    if (!cur.exists) return { action: 'none', changes: [] };
    const args = spec.remove ? ['userdel', '-r', '--', spec.name] : ['userdel', '--', spec.name];
    return { action: 'delete', changes: [{ field: 'state', from: 'present', to: 'absent' }], steps: { script: shargs(...args) } };
  }
  if (!cur.exists) return createPlan(spec);

  const changes: Change[] = [];
  const args: (string | number)[] = ['usermod'];
  if (spec.uid !== undefined && spec.uid !== cur.uid) {
    changes.push({ field: 'uid', from: cur.uid ?? null, to: spec.uid });
    args.push('-u', spec.uid);
  }
  if (spec.group !== undefined && !(isId(spec.group) ? Number(spec.group) === cur.gid : spec.group === cur.group)) {
    changes.push({ field: 'group', from: cur.group ?? cur.gid ?? null, to: spec.group });
    args.push('-g', spec.group);
  }
  const groups = wantedGroups(spec, cur);
  const curGroups = cur.groups ?? [];
  if (groups !== undefined && groups.join(',') !== curGroups.join(',')) {
    changes.push({ field: 'groups', from: curGroups, to: groups });
    args.push('-G', groups.join(','));
  }
  for (const [field, flag, want, have] of [
    ['shell', '-s', spec.shell, cur.shell],
    ['home', '-d', spec.home, cur.home],
    ['comment', '-c', spec.comment, cur.comment],
  ] as const) {
    if (want !== undefined && want !== have) {
      changes.push({ field, from: have ?? null, to: want });
      args.push(flag, want);
    }
  }
  if (changes.length === 0) return { action: 'none', changes: [] };
  return { action: 'update', changes, steps: { script: shargs(...args, '--', spec.name) } };
}

// useradd/usermod refuse ":" and every ASCII control character in a passwd field ("failure while
// writing changes to /etc/passwd" at apply time): refused at validate instead
const PASSWD_CHAR = '[^:\\u0000-\\u001f\\u007f]';
const passwdPath = { type: 'string', pattern: `^/${PASSWD_CHAR}*$`, title: 'an absolute path with no ":" and no control character' } as const;

export const userModule: ResourceModule<UserSpec, UserState, ScriptSteps> = {
  kind: 'user',
  doc,
  schema: {
    type: 'object',
    properties: {
      uid: { type: 'integer', minimum: 0, maximum: 4294967294, description: 'User id. Unset: chosen on create, left as is afterwards.' },
      group: {
        type: 'string',
        pattern: '^([a-z_][a-z0-9_-]{0,30}\\$?|[0-9]+)$',
        description: 'Primary group (name or numeric gid); it must exist. Unset: useradd default on create, left as is afterwards.',
      },
      groups: {
        type: 'array',
        items: { type: 'string', pattern: '^[a-z_][a-z0-9_-]{0,30}\\$?$' },
        uniqueItems: true,
        description: 'Supplementary groups: exactly these (append false) or at least these (append true). Unset: left as is.',
      },
      append: { type: 'boolean', default: false, description: 'Add the groups and keep other memberships, instead of setting the exact list.' },
      shell: { ...passwdPath, description: 'Login shell (absolute path). Unset: left as is.' },
      home: { ...passwdPath, description: 'Home directory (absolute path); not moved when changed. Unset: left as is.' },
      create_home: { type: 'boolean', default: true, description: 'Create the home directory when the user is created (useradd -m).' },
      system: { type: 'boolean', default: false, description: 'Create a system account (useradd -r); only used on create.' },
      comment: {
        type: 'string',
        pattern: `^${PASSWD_CHAR}*$`,
        title: 'text with no ":" and no control character',
        description: 'The GECOS field (full name). Unset: left as is.',
      },
      remove: { type: 'boolean', default: false, description: 'With state absent, also remove the home directory and mail spool (userdel -r).' },
      state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'Whether the account exists.' },
    },
    additionalProperties: false,
  },

  autoRequires(spec) {
    const ids: string[] = [];
    if (spec.group !== undefined && !isId(spec.group)) ids.push(`group:${spec.group}`);
    for (const g of spec.groups ?? []) if (g !== spec.group) ids.push(`group:${g}`);
    return ids;
  },

  prepare(spec) {
    assertAccountName('user', spec.name);
    return spec;
  },

  probe(spec) {
    return [
      `u=${shq(spec.name)}`,
      `if l=$(getent passwd "$u"); then :; else r=$?; [ "$r" -eq 2 ] || exit "$r"; echo passwd=; exit 0; fi`,
      `printf 'passwd=%s\\n' "$l"`,
      // the 4th field and the group's name by parameter expansion: no pipe, no cut
      `g=\${l#*:*:*:}; g=\${g%%:*}`,
      `if k=$(getent group "$g"); then k=\${k%%:*}; else k=; fi`,
      `printf 'primary=%s\\n' "$k"`,
      `printf 'groups=%s\\n' "$(id -Gn "$u")"`,
    ].join('\n');
  },

  parse(spec, out) {
    const kv = readKeyValues(`user ${spec.name}`, out);
    const line = kv.get('passwd');
    if (line === undefined) throw new KeelError('E_PROBE', `probe of user ${spec.name} printed no result`);
    if (line === '') return { exists: false };
    const f = line.split(':');
    if (f.length < 7) throw new KeelError('E_PROBE', `probe of user ${spec.name}: unexpected passwd entry "${line}"`);
    const primary = kv.get('primary') || undefined;
    const all = (kv.get('groups') ?? '').split(/\s+/).filter((g) => g !== '');
    return {
      exists: true,
      uid: Number(f[2]),
      gid: Number(f[3]),
      comment: f[4],
      home: f[5],
      shell: f[6],
      group: primary,
      groups: [...new Set(all.filter((g) => g !== primary))].sort(),
    };
  },

  plan: (spec, cur) => planUser(spec, cur),

  async apply(ctx, plan) {
    if (plan.steps) await ctx.run(plan.steps.script);
  },
};
