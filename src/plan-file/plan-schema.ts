/**
 * The JSON Schema a plan file is checked against before anything reads it (`keel show`,
 * `keel converge FILE`): a file edited by hand is one clear error, never a crash. The report's
 * contents are checked further against the pins (saved-plan.ts), so that what `keel show`
 * prints is what converge holds the hosts to.
 */
const str = { type: 'string' };
const pinnedResource = {
  type: 'object',
  required: ['id', 'action', 'spec', 'plan'],
  properties: { id: str, action: str, spec: str, plan: str },
};
const reportResource = {
  type: 'object',
  required: ['id', 'type', 'name', 'source', 'action', 'changes', 'status'],
  properties: {
    id: str,
    type: str,
    name: str,
    source: str,
    action: { enum: ['none', 'create', 'update', 'delete', 'may-change'] },
    status: { enum: ['ok', 'planned', 'changed', 'failed', 'skipped'] },
    changes: { type: 'array', items: { type: 'object', required: ['field'], properties: { field: str } } },
    diff: str,
    note: str,
    error: str,
    condition: str,
    warnings: { type: 'array', items: str },
  },
};
const count = { type: 'integer', minimum: 0 };

export const PLAN_FILE_SCHEMA = {
  type: 'object',
  required: ['format', 'version', 'keel', 'createdAt', 'inventory', 'vars', 'salt', 'hosts', 'report'],
  properties: {
    createdAt: str,
    inventory: str,
    limit: str,
    tags: str,
    salt: str,
    vars: { type: 'array', items: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: str, value: str } } },
    hosts: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['resources'],
        properties: { resources: { type: 'array', items: pinnedResource }, sensitive: str, failed: { type: 'boolean' } },
      },
    },
    report: {
      type: 'object',
      required: ['command', 'startedAt', 'hosts', 'summary'],
      properties: {
        command: { const: 'plan' },
        startedAt: str,
        summary: { type: 'object', required: ['hosts', 'drifted', 'changed', 'failed', 'unreachable'], properties: { hosts: count, drifted: count, changed: count, failed: count, unreachable: count } },
        hosts: {
          type: 'array',
          items: {
            type: 'object',
            required: ['host', 'status', 'durationMs', 'resources', 'summary'],
            properties: {
              host: str,
              status: { enum: ['in-sync', 'drift', 'failed', 'unreachable'] },
              error: str,
              durationMs: count,
              resources: { type: 'array', items: reportResource },
              summary: { type: 'object', required: ['ok', 'changed', 'failed', 'skipped', 'uncertain'], properties: { ok: count, changed: count, failed: count, skipped: count, uncertain: count } },
            },
          },
        },
      },
    },
  },
} as const;
