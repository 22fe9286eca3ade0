/** Quote a value for POSIX sh: every value that reaches a shell goes through here. */
export function shq(value: string | number): string {
  const s = String(value);
  if (s !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Quote each argument and join them into one command line. */
export function shargs(...args: (string | number)[]): string {
  return args.map(shq).join(' ');
}
