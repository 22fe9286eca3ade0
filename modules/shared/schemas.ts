/** JSON Schema fragments shared by modules, so the same parameter reads the same everywhere. */
import { modeSchema } from './mode.js';
export const ownerSchema = {
  type: 'string',
  minLength: 1,
  pattern: '^[A-Za-z0-9_.][A-Za-z0-9_.-]*\\$?$',
  description: 'Owning user (name or numeric uid). Unset: left as is (a new file belongs to the connecting user, root under become).',
} as const;

export const groupSchema = {
  type: 'string',
  minLength: 1,
  pattern: '^[A-Za-z0-9_.][A-Za-z0-9_.-]*\\$?$',
  description: "Owning group (name or numeric gid). Unset: left as is (a new file gets the user's primary group).",
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
    description: 'Copy the old file to <path>.keel-bak-<timestamp> before overwriting its contents.',
  },
} as const;
