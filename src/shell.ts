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

/**
 * A quoted here-document carrying `text` byte for byte (no expansion): `redirect` goes after the
 * command (`<<'KEEL_EOF'`), `body` on the lines after the command's line. The delimiter is one
 * no line of the text equals.
 */
export function hereDoc(text: string): { redirect: string; body: string } {
  const lines = new Set(text.split('\n'));
  let delimiter = 'KEEL_EOF';
  for (let i = 1; lines.has(delimiter); i++) delimiter = `KEEL_EOF_${i}`;
  return { redirect: `<<'${delimiter}'`, body: `${text}\n${delimiter}` };
}
