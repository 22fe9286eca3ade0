import { KeelError } from '../../src/errors.js';
import type { BaseSpec, Change, Plan, ResourceModule } from '../../src/module.js';
import { shargs, shq } from '../../src/shell.js';
import { accountNameSchema, assertAccountName, readKeyValues, type ScriptSteps } from '../user/accounts.js';

export interface GroupSpec extends BaseSpec {
  gid?: number;
  system?: boolean;
  state?: 'present' | 'absent';
}

export interface GroupState {
  exists: boolean;
  gid?: number;
  members?: string[];
}

const doc = `Manages a local group (groupadd, groupmod, groupdel). The name is the group's name.

Parameters:
- gid (integer): the group id. Unset: chosen by groupadd on create, left as is afterwards.
  A changed gid is applied with groupmod -g (files owned by the old gid keep it).
- system (boolean, default false): create a system group (groupadd -r, gid below 1000).
  Only used on create: an existing group is never turned into a system group or back.
- state (present | absent, default present): absent removes the group (groupdel), which fails
  while it is the primary group of a user.

Members are managed by the user module (its groups parameter).

Example:
\`\`\`yaml
- group: app
  gid: 2000
- group: deploy
  system: true
- group: oldteam
  state: absent
\`\`\``;

/** Pure: the groupadd/groupmod/groupdel script that turns `cur` into `spec`. */
export function planGroup(spec: GroupSpec, cur: GroupState): Plan<ScriptSteps> {
  const name = spec.name;
  if ((spec.state ?? 'present') === 'absent') {
    if (!cur.exists) return { action: 'none', changes: [] };
    return { action: 'delete', changes: [{ field: 'state', from: 'present', to: 'absent' }], steps: { script: shargs('groupdel', '--', name) } };
  }
  if (!cur.exists) {
    const changes: Change[] = [{ field: 'state', from: 'absent', to: 'present' }];
    const args: (string | number)[] = ['groupadd'];
    if (spec.gid !== undefined) {
      changes.push({ field: 'gid', from: null, to: spec.gid });
      args.push('-g', spec.gid);
    }
    if (spec.system) args.push('-r');
    return { action: 'create', changes, steps: { script: shargs(...args, '--', name) } };
  }
  if (spec.gid !== undefined && spec.gid !== cur.gid) {
    return {
      action: 'update',
      changes: [{ field: 'gid', from: cur.gid ?? null, to: spec.gid }],
      steps: { script: shargs('groupmod', '-g', spec.gid, '--', name) },
    };
  }
  return { action: 'none', changes: [] };
}

export const groupModule: ResourceModule<GroupSpec, GroupState, ScriptSteps> = {
  kind: 'group',
  doc,
  schema: {
    type: 'object',
    properties: {
      gid: { type: 'integer', minimum: 0, maximum: 4294967294, description: 'Group id. Unset: chosen on create, left as is afterwards.' },
      system: { type: 'boolean', default: false, description: 'Create a system group (groupadd -r); only used on create.' },
      state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'Whether the group exists.' },
    },
    additionalProperties: false,
  },

  prepare(spec) {
    assertAccountName('group', spec.name);
    return spec;
  },

  probe: (spec) =>
    [`if l=$(getent group ${shq(spec.name)}); then printf 'group=%s\\n' "$l"; else r=$?; [ "$r" -eq 2 ] || exit "$r"; echo group=; fi`].join('\n'),

  parse(spec, out) {
    const kv = readKeyValues(`group ${spec.name}`, out);
    const line = kv.get('group');
    if (line === undefined) throw new KeelError('E_PROBE', `probe of group ${spec.name} printed no result`);
    if (line === '') return { exists: false };
    const [, , gid, members = ''] = line.split(':');
    return { exists: true, gid: Number(gid), members: members ? members.split(',') : [] };
  },

  plan: (spec, cur) => planGroup(spec, cur),

  async apply(ctx, plan) {
    if (plan.steps) await ctx.run(plan.steps.script);
  },
};
