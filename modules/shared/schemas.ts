/** JSON Schema fragments shared by modules, so the same parameter reads the same everywhere. */
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
