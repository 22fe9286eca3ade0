import { KeelError } from '../../src/errors.js';
import type { BaseSpec, Change, Plan, ResourceModule } from '../../src/module.js';
import { toolNameSchema } from '../shared/index.js';
import { parsePsqlProbe, psqlApplyScript, psqlProbe, POSTGRES_PROVIDERS, quoteIdent, quoteLiteral, type PgStatus } from '../postgres_shared/index.js';

export interface PostgresDbSpec extends BaseSpec {
  owner?: string;
  encoding?: string;
  template?: string;
  state?: 'present' | 'absent';
}

export interface DbRow {
  owner: string;
  encoding: string;
}

export interface PostgresDbState {
  server: PgStatus;
  db?: DbRow;
}

export interface DbSteps {
  sql: string;
}

const doc = `Manages a PostgreSQL database: its existence, owner and encoding. The name is the
database's name (any characters; it is quoted).

Parameters:
- owner (string): the owning role, which must exist (declare it with postgres_role: it is then
  required automatically). Unset: the creator (postgres) on create, left as is afterwards. A
  changed owner is set with ALTER DATABASE ... OWNER TO.
- encoding (string, default UTF8): the encoding, set on create. It cannot change afterwards: a
  database with another encoding is an error at plan time (dump, drop and re-create it).
  Spellings are compared loosely (utf-8 = UTF8).
- template (string, default template0): the template database to copy on create. template0 is
  the one that accepts any encoding.
- state (present | absent, default present): absent drops the database (DROP DATABASE fails
  while sessions are connected to it).

CREATE DATABASE runs through \`runuser -u postgres -- psql\`, outside a transaction, with the SQL
on standard input. The locale is the cluster's default. When PostgreSQL is not installed or
not running at plan time, the plan shows the database as to be created (see postgres_role).

Example:
\`\`\`yaml
- postgres_db: superbook
  owner: superbook
  encoding: UTF8
\`\`\``;

/** Canonical spelling of an encoding name: "utf-8" and "UNICODE" are UTF8, "iso_8859_5" ISO88595. */
export function normalizeEncoding(e: string): string {
  const n = e.toUpperCase().replace(/[-_\s]/g, '');
  return n === 'UNICODE' ? 'UTF8' : n;
}

function query(name: string): string {
  return (
    `SELECT json_build_object('owner', pg_get_userbyid(datdba), 'encoding', pg_encoding_to_char(encoding)) ` +
    `FROM pg_database WHERE datname = ${quoteLiteral(name)};`
  );
}

export function planDb(spec: PostgresDbSpec, cur: PostgresDbState): Plan<DbSteps> {
  const name = quoteIdent(spec.name);
  const db = cur.server === 'ready' ? cur.db : undefined;
  if ((spec.state ?? 'present') === 'absent') {
    if (!db) return { action: 'none', changes: [] };
    return { action: 'delete', changes: [{ field: 'state', from: 'present', to: 'absent' }], steps: { sql: `DROP DATABASE ${name};\n` } };
  }
  const encoding = spec.encoding ?? 'UTF8';
  if (!db) {
    const changes: Change[] = [{ field: 'state', from: 'absent', to: 'present' }];
    let sql = `CREATE DATABASE ${name}`;
    if (spec.owner !== undefined) {
      changes.push({ field: 'owner', from: null, to: spec.owner });
      sql += ` OWNER ${quoteIdent(spec.owner)}`;
    }
    changes.push({ field: 'encoding', from: null, to: encoding });
    sql += ` ENCODING ${quoteLiteral(encoding)} TEMPLATE ${quoteIdent(spec.template ?? 'template0')};\n`;
    return { action: 'create', changes, steps: { sql } };
  }
  if (normalizeEncoding(db.encoding) !== normalizeEncoding(encoding)) {
    throw new KeelError('E_CONFLICT', `database ${spec.name} has encoding ${db.encoding}, not ${encoding}; an encoding cannot change after creation`, {
      resource: `postgres_db:${spec.name}`,
      hint: 'dump, drop and re-create the database, or declare its current encoding',
    });
  }
  if (spec.owner !== undefined && spec.owner !== db.owner) {
    return {
      action: 'update',
      changes: [{ field: 'owner', from: db.owner, to: spec.owner }],
      steps: { sql: `ALTER DATABASE ${name} OWNER TO ${quoteIdent(spec.owner)};\n` },
    };
  }
  return { action: 'none', changes: [] };
}

export const postgresDbModule: ResourceModule<PostgresDbSpec, PostgresDbState, DbSteps> = {
  kind: 'postgres_db',
  doc,
  schema: {
    type: 'object',
    properties: {
      name: { ...toolNameSchema, description: 'The database (the resource name): no leading "-", no whitespace at either end.' },
      owner: { ...toolNameSchema, description: 'Owning role. Unset: postgres on create, left as is afterwards.' },
      encoding: {
        type: 'string',
        pattern: '^[A-Za-z0-9_-]+$',
        default: 'UTF8',
        description: 'Character encoding, set on create; it cannot change afterwards.',
      },
      template: { type: 'string', minLength: 1, default: 'template0', description: 'Template database copied on create.' },
      state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'Whether the database exists.' },
    },
    additionalProperties: false,
  },

  autoRequires(spec) {
    const ids = [...POSTGRES_PROVIDERS];
    if (spec.owner !== undefined) ids.push(`postgres_role:${spec.owner}`);
    return ids;
  },

  probe: (spec) => psqlProbe(query(spec.name)),

  parse(spec, out) {
    const r = parsePsqlProbe<DbRow>(`postgres_db ${spec.name}`, out);
    return { server: r.status, db: r.rows[0] };
  },

  plan: (spec, cur) => planDb(spec, cur),

  async apply(ctx, plan) {
    if (plan.steps) await ctx.run(psqlApplyScript(), { stdin: plan.steps.sql });
  },
};
