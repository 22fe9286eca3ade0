/** JSON Schema of inventory.yaml (documented in docs/inventory.md). */
import { pathString, type PathSeg } from './source.js';

const str = { type: 'string' };
const nameList = { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] };
const vars = { type: ['object', 'null'] };
// a state name, or a mapping ({bundle, name, with, when} / {state, when}: read by include-entry.ts)
const stateList = { anyOf: [{ type: 'string' }, { type: 'array' }] };

/** Connection settings: allowed in `defaults`, in a group and in a host. */
export const connectionProperties = {
  connection: { enum: ['ssh', 'local'] },
  user: str,
  port: { type: 'integer', minimum: 1, maximum: 65535 },
  identity: str,
  identity_passphrase_env: str,
  known_hosts: str,
  accept_new: { type: 'boolean' },
  become: { type: 'boolean' },
  become_user: str,
  become_password_env: str,
  // SSH password authentication (discouraged): the name of the environment variable holding it
  password_env: str,
  jump: str,
  connect_timeout: { type: 'number', exclusiveMinimum: 0 },
  retries: { type: 'integer', minimum: 0 },
};

const host = {
  type: ['object', 'null'],
  properties: { ...connectionProperties, address: str, vars, states: stateList },
  additionalProperties: false,
};

const hostMap = { type: ['object', 'null'], additionalProperties: host };

const group = {
  type: ['object', 'null'],
  properties: {
    ...connectionProperties,
    // a mapping of hosts (with settings) or a list of host names declared elsewhere
    hosts: { type: ['object', 'array', 'null'], additionalProperties: host, items: { type: 'string' } },
    children: nameList,
    vars,
    states: stateList,
    // converge this group's hosts only after every host of these groups has finished
    after: nameList,
  },
  additionalProperties: false,
};

/** `drift:` settings of `keel drift` (docs/drift.md). */
const drift = {
  type: ['object', 'null'],
  properties: {
    retention_days: { type: 'integer', minimum: 1 },
    webhook: {
      type: 'object',
      properties: { url: { type: 'string', pattern: '^https?://' }, timeout: { type: 'number', exclusiveMinimum: 0 } },
      required: ['url'],
      additionalProperties: false,
    },
    command: str,
    metrics_file: str,
    statsd: { type: 'string', pattern: '^\\[?[^\\s]+\\]?:\\d+$' },
    // postgres://USER@HOST/DB (the password from PGPASSWORD or ~/.pgpass) or a history file
    history: str,
  },
  additionalProperties: false,
};

export const inventorySchema = {
  type: 'object',
  properties: {
    state_dir: str,
    // names of variables whose values are secrets: redacted from every diff, report, log and history
    sensitive_vars: { type: 'array', items: { type: 'string' } },
    defaults: { type: ['object', 'null'], properties: connectionProperties, additionalProperties: false },
    vars,
    states: stateList,
    // more folders holding bundles/NAME/bundle.yaml, after bundles/ beside the inventory
    bundle_path: nameList,
    hosts: hostMap,
    groups: { type: ['object', 'null'], additionalProperties: group },
    drift,
    // dynamic inventory: executables printing hosts and groups as JSON, merged under this file
    sources: {
      type: 'array',
      items: {
        type: 'object',
        properties: { exec: { type: 'string', minLength: 1 }, timeout: { type: 'number', exclusiveMinimum: 0 } },
        required: ['exec'],
        additionalProperties: false,
      },
    },
    // age encryption of `!secret` values (docs/inventory.md, Encrypted secrets)
    secrets: {
      type: 'object',
      properties: { recipients: { type: 'array', items: str }, identity: str },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
};

/** `host web1`, `group web`, `defaults`, `inventory`: who owns the keys at a path. */
export function inventorySubject(path: PathSeg[]): string {
  const [top, name, sub, host] = path;
  if (top === 'hosts' && name !== undefined) return `host ${name}`;
  if (top === 'groups' && sub === 'hosts' && host !== undefined) return `host ${host}`;
  if (top === 'groups' && name !== undefined) return `group ${name}`;
  if (top === 'sources' && name !== undefined) return `source ${pathString(path.slice(0, 2))}`;
  return typeof top === 'string' && path.length === 1 ? top : 'inventory';
}
