import { KeelError } from '../../src/errors.js';
import type { BaseSpec, Change, Plan, ResourceModule } from '../../src/module.js';
import { toolNameSchema } from '../shared/index.js';
import {
  parsePsqlProbe,
  passwordMatches,
  psqlApplyScript,
  psqlProbe,
  POSTGRES_PROVIDERS,
  quoteIdent,
  quoteLiteral,
  scramVerifier,
  type PgStatus,
} from '../postgres_shared/index.js';

export interface PostgresRoleSpec extends BaseSpec {
  login?: boolean;
  password?: string;
  superuser?: boolean;
  createdb?: boolean;
  state?: 'present' | 'absent';
}

export interface RoleRow {
  login: boolean;
  superuser: boolean;
  createdb: boolean;
  /** Whether a password is set. */
  has_password: boolean;
  /** The stored verifier: only read when the spec declares a password. */
  password?: string | null;
}

export interface PostgresRoleState {
  server: PgStatus;
  role?: RoleRow;
}

/** What apply does; the password itself is not here: apply reads it from the spec. */
export interface RoleSteps {
  op: 'create' | 'alter' | 'drop';
  /** Attribute keywords (LOGIN, NOSUPERUSER, ...). */
  attrs: string[];
  setPassword: boolean;
}

const doc = `Manages a PostgreSQL role: its existence, LOGIN, SUPERUSER and CREATEDB attributes, and
its password. The name is the role's name (any characters; it is quoted).

Parameters:
- login (boolean, default true): the role can log in (a user) or not (a group role).
- password (string, sensitive): the role's password. Unset: left as is (a new role has none).
  keel compares it with the stored verifier (SCRAM-SHA-256 or md5) on the controller, so the
  password never travels in a probe; when it differs keel sends a SCRAM-SHA-256 verifier it
  computed itself (so even the server's statement log never holds the password), on psql's
  standard input. The password is never shown in plans, logs or JSON.
- superuser, createdb (boolean): unset leaves them as they are (a new role gets NOSUPERUSER,
  NOCREATEDB), so declaring the \`postgres\` role never takes its rights away.
- state (present | absent, default present): absent drops the role (DROP ROLE fails while it
  owns objects or has privileges: reassign or drop them first).

SQL runs through \`runuser -u postgres -- psql\` on the local socket, with the SQL on standard
input. When PostgreSQL is not installed or not running at plan time, the plan shows the whole
role as to be created (the server may come from a pkg or service of the same run, which the
engine applies first and then re-probes this role); if it is still not running at apply time,
apply fails with "PostgreSQL is not running on the host". \`pkg:postgresql\` and
\`service:postgresql\` are required automatically when they are declared.

Example:
<!-- docs-test: {"vars": {"db_password": "example"}} -->
\`\`\`yaml
- postgres_role: superbook
  password: "{{ db_password }}"
  createdb: true
- postgres_role: readers
  login: false
\`\`\``;

/** Stands for the password in changes: the engine redacts the field anyway; this is belt and braces. */
const SECRET = '(password)';

function query(spec: PostgresRoleSpec): string {
  const pw = spec.password !== undefined ? ", 'password', rolpassword" : '';
  return (
    `SELECT json_build_object('login', rolcanlogin, 'superuser', rolsuper, 'createdb', rolcreatedb, ` +
    `'has_password', rolpassword IS NOT NULL${pw}) FROM pg_authid WHERE rolname = ${quoteLiteral(spec.name)};`
  );
}

export function planRole(spec: PostgresRoleSpec, cur: PostgresRoleState): Plan<RoleSteps> {
  const role = cur.server === 'ready' ? cur.role : undefined;
  if ((spec.state ?? 'present') === 'absent') {
    if (!role) return { action: 'none', changes: [] };
    return { action: 'delete', changes: [{ field: 'state', from: 'present', to: 'absent' }], steps: { op: 'drop', attrs: [], setPassword: false } };
  }
  const login = spec.login ?? true;
  if (!role) {
    const changes: Change[] = [{ field: 'state', from: 'absent', to: 'present' }, { field: 'login', from: null, to: login }];
    const attrs = [login ? 'LOGIN' : 'NOLOGIN'];
    for (const [field, word] of [['superuser', 'SUPERUSER'], ['createdb', 'CREATEDB']] as const) {
      if (spec[field] !== undefined) changes.push({ field, from: null, to: spec[field] });
      attrs.push(spec[field] ? word : `NO${word}`);
    }
    if (spec.password !== undefined) changes.push({ field: 'password', from: null, to: SECRET });
    return { action: 'create', changes, steps: { op: 'create', attrs, setPassword: spec.password !== undefined } };
  }
  const changes: Change[] = [];
  const attrs: string[] = [];
  for (const [field, word, want] of [
    ['login', 'LOGIN', login],
    ['superuser', 'SUPERUSER', spec.superuser],
    ['createdb', 'CREATEDB', spec.createdb],
  ] as const) {
    if (want !== undefined && want !== role[field]) {
      changes.push({ field, from: role[field], to: want });
      attrs.push(want ? word : `NO${word}`);
    }
  }
  const setPassword = spec.password !== undefined && !passwordMatches(spec.password, role.password, spec.name);
  if (setPassword) changes.push({ field: 'password', from: role.has_password ? SECRET : null, to: SECRET });
  if (changes.length === 0) return { action: 'none', changes: [] };
  return { action: 'update', changes, steps: { op: 'alter', attrs, setPassword } };
}

/** The SQL apply sends on stdin; `verifier` is the password's SCRAM verifier, computed at apply time. */
export function roleSql(name: string, steps: RoleSteps, verifier?: string): string {
  if (steps.op === 'drop') return `DROP ROLE ${quoteIdent(name)};\n`;
  const words = [...steps.attrs];
  if (steps.setPassword) {
    if (verifier === undefined) throw new KeelError('E_APPLY', `postgres_role ${name}: no password to set`);
    words.push(`PASSWORD ${quoteLiteral(verifier)}`);
  }
  const verb = steps.op === 'create' ? 'CREATE' : 'ALTER';
  return `${verb} ROLE ${quoteIdent(name)}${words.length ? ` WITH ${words.join(' ')}` : ''};\n`;
}

export const postgresRoleModule: ResourceModule<PostgresRoleSpec, PostgresRoleState, RoleSteps> = {
  kind: 'postgres_role',
  doc,
  sensitive: ['password'],
  schema: {
    type: 'object',
    properties: {
      name: { ...toolNameSchema, description: 'The role (the resource name): no leading "-", no whitespace at either end.' },
      login: { type: 'boolean', default: true, description: 'The role can log in (LOGIN); false for a group role.' },
      password: { type: 'string', minLength: 1, description: 'The password (sensitive). Unset: left as is.' },
      superuser: { type: 'boolean', description: 'SUPERUSER. Unset: left as is (NOSUPERUSER on create).' },
      createdb: { type: 'boolean', description: 'CREATEDB. Unset: left as is (NOCREATEDB on create).' },
      state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'Whether the role exists.' },
    },
    additionalProperties: false,
  },

  autoRequires: () => [...POSTGRES_PROVIDERS],

  probe: (spec) => psqlProbe(query(spec)),

  parse(spec, out) {
    const r = parsePsqlProbe<RoleRow>(`postgres_role ${spec.name}`, out);
    return { server: r.status, role: r.rows[0] };
  },

  plan: (spec, cur) => planRole(spec, cur),

  async apply(ctx, plan, spec) {
    if (!plan.steps) return;
    const verifier = plan.steps.setPassword && spec.password !== undefined ? scramVerifier(spec.password) : undefined;
    await ctx.run(psqlApplyScript(), { stdin: roleSql(spec.name, plan.steps, verifier) });
  },
};
