/** JSON Schema fragments shared by modules, so the same parameter reads the same everywhere. */
import { modeSchema } from './mode.js';
// `title` is what a schema error says was expected instead of the bare pattern
const ACCOUNT_TITLE = 'a user or group name or id: letters, digits, ".", "_", "-" (not first), optionally a final "$"';

export const ownerSchema = {
  type: 'string',
  minLength: 1,
  pattern: '^[A-Za-z0-9_.][A-Za-z0-9_.-]*\\$?$',
  title: ACCOUNT_TITLE,
  description: 'Owning user (name or numeric uid). Unset: left as is (a new file belongs to the connecting user, root under become).',
} as const;

export const groupSchema = {
  type: 'string',
  minLength: 1,
  pattern: '^[A-Za-z0-9_.][A-Za-z0-9_.-]*\\$?$',
  title: ACCOUNT_TITLE,
  description: "Owning group (name or numeric gid). Unset: left as is (a new file gets the user's primary group).",
} as const;

/**
 * A name passed to a tool as an argument or kept as a marker (a role, a database, a cron entry):
 * never read as an option (a leading "-"), never with whitespace at either end, which tools
 * trim or split on, so that the name keel compares is the name the tool keeps.
 */
export const toolNameSchema = {
  type: 'string',
  minLength: 1,
  pattern: '^(?![-\\s])[^\\u0000]*(?<!\\s)$',
  title: 'a name that does not start with "-" and has no whitespace at either end',
} as const;

/** The parameters every whole-file module shares (file, template): one definition, one doc. */
export const fileAttributeProperties = {
  state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'Whether the file exists.' },
  owner: ownerSchema,
  group: groupSchema,
  mode: { ...modeSchema, description: `${modeSchema.description} Default "0644" on create; unset leaves it as is.` },
  backup: {
    type: 'boolean',
    default: false,
    description: 'Copy the old file to <path>.keel-bak-<timestamp>.<random> before overwriting its contents.',
  },
} as const;
