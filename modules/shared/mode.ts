/** File modes as users write them ("644", "0644", "4755") and as stat prints them ("644"). */

/** JSON Schema of a mode parameter, shared by every module that sets one. */
export const modeSchema = {
  type: 'string',
  pattern: '^0?[0-7]{3,4}$',
  description: 'Permission bits in octal, as a quoted string ("0644" or "644").',
} as const;

/** The canonical 4-digit form: "644" -> "0644", "04755" -> "4755". */
export function normalizeMode(mode: string): string {
  return (parseInt(mode, 8) & 0o7777).toString(8).padStart(4, '0');
}

export function sameMode(a: string, b: string): boolean {
  return normalizeMode(a) === normalizeMode(b);
}
