/** systemd unit names: "nginx" means nginx.service; "php8.2-fpm" too (".2-fpm" is no unit type). */

export const UNIT_TYPES = ['service', 'socket', 'device', 'mount', 'automount', 'swap', 'target', 'path', 'timer', 'slice', 'scope'] as const;

/** Characters systemd allows in unit names ("\x2d" escapes included); never a leading "-". */
const UNIT_CHARS = /^[A-Za-z0-9:_.\\@][A-Za-z0-9:_.\\@-]*$/;

/** The suffix when it is a unit type ("timer" for "a.timer"), else undefined. */
export function unitType(name: string): string | undefined {
  const dot = name.lastIndexOf('.');
  const suffix = dot < 0 ? '' : name.slice(dot + 1);
  return (UNIT_TYPES as readonly string[]).includes(suffix) ? suffix : undefined;
}

/** The full unit name: `.service` appended when the name has no unit type suffix. */
export function unitName(name: string): string {
  return unitType(name) ? name : `${name}.service`;
}

export function isValidUnitName(name: string): boolean {
  return name.length > 0 && name.length <= 255 && UNIT_CHARS.test(name);
}

/** "getty@tty1.service" -> "getty@.service": the template file an instance is made from. */
export function templateOf(unit: string): string | undefined {
  const m = /^([^@]+)@[^@]+(\.[a-z]+)$/.exec(unit);
  return m ? `${m[1]}@${m[2]}` : undefined;
}
