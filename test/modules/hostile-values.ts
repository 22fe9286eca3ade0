/**
 * fast-check arbitraries of hostile strings: shell syntax that would run a canary if it ever
 * reached a shell unquoted, quotes, globs, options, control characters and unicode, glued to
 * random code points. Each field keeps only what keel promises to take as is (no NUL anywhere;
 * no "/" in a file name; one line where the field is a line); the refusals are tested apart.
 */
import fc from 'fast-check';

export interface HostileBatch {
  files: { name: string; content: string }[];
  lines: { name: string; text: string }[];
  commands: { cwd: string; env: string }[];
  cron: { name: string; job: string }[];
  users: { comment: string; home: string }[];
}

function fragments(canary: string): string[] {
  // no "/" in the canary commands: they must fit in a file name too (touch creates it in the cwd)
  return [
    `$(touch ${canary})`, `\`touch ${canary}\``, `;touch ${canary};`, `|touch ${canary}`, `&&touch ${canary}`,
    `\ntouch ${canary}\n`, `$(IFS=_;cmd=touch_${canary};$cmd)`, `'$(touch ${canary})'`, `"$(touch ${canary})"`,
    "'", '"', '\\', "'\\''", '`', '$', '${IFS}', '$HOME', '$1', '$@', '$?', '!!', '#', '&', '|', ';', '<', '>', '>>',
    '*', '?', '[!a]', '[', ']', '{a,b}', '~', '~root', '-', '--', '-rf', '-n', '-e', '--help', '%', '%s', '%%',
    '\\n', '\\0', '\n', '\r', '\t', '\r\n', ' ', '  ', '\u001b[2J', '\u0007', '\u0085', '\u009b', '\u00a0', '\u202e',
    '\u2028', '\ufeff', 'é', '日本', '🚀', 'e\u0301', '{{', '}}', '{%', '#}', '=', ':', ',', '.', '..',
  ];
}

const noNul = (s: string) => s.replaceAll('\u0000', '');

function text(canary: string): fc.Arbitrary<string> {
  const piece = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...fragments(canary)) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 4 }) },
  );
  return fc.array(piece, { maxLength: 10 }).map((parts) => noNul(parts.join('')));
}

/** At most `max` bytes of UTF-8, cut at a code point. */
function clip(s: string, max: number): string {
  let out = '';
  for (const ch of s) {
    if (Buffer.byteLength(out + ch) > max) break;
    out += ch;
  }
  return out;
}

/** A file name: no "/", never "." or "..", short enough for any file system; unique by its index. */
const fileName = (t: fc.Arbitrary<string>) => t.map((s) => clip(s.replaceAll('/', '_'), 200));
const oneLine = (s: string) => s.replace(/[\r\n]/g, ' ');
const passwdText = (s: string) => s.replace(/[:\u0000-\u001f\u007f]/g, '_');
const cronText = (s: string) => oneLine(s).replaceAll('\b', '');

export function hostileBatch(canary: string): fc.Arbitrary<HostileBatch> {
  const t = text(canary);
  const unique = <T>(arb: fc.Arbitrary<string>, n: number, make: (name: string, i: number) => T) =>
    fc.array(arb, { minLength: n, maxLength: n }).map((names) => names.map((s, i) => make(`${s}~${i}`, i)));
  return fc.record({
    files: fc.tuple(unique(fileName(t), 20, (name) => name), fc.array(t, { minLength: 20, maxLength: 20 })).map(([names, contents]) =>
      names.map((name, i) => ({ name, content: contents[i] })),
    ),
    lines: fc.tuple(unique(fileName(t), 8, (name) => name), fc.array(t.map(oneLine), { minLength: 8, maxLength: 8 })).map(([names, texts]) =>
      names.map((name, i) => ({ name, text: texts[i] })),
    ),
    commands: fc.tuple(unique(fileName(t), 8, (name) => name), fc.array(t, { minLength: 8, maxLength: 8 })).map(([names, envs]) =>
      names.map((cwd, i) => ({ cwd, env: envs[i] })),
    ),
    // cron: no whitespace at either end of a name, no backspace, no job starting with * (refused,
    // tested apart); the
    // run's tag ends each name
    cron: fc.tuple(fc.array(t.map((s) => cronText(s).trimStart()), { minLength: 10, maxLength: 10 }), fc.array(t.map(cronText).filter((s) => s.trim() !== '' && !/^[ \t]*\*/.test(s)), { minLength: 10, maxLength: 10 })).map(
      ([names, jobs]) => names.map((name, i) => ({ name: `${name}~${i}`, job: jobs[i] })),
    ),
    // passwd fields cannot hold ":" or an ASCII control character (refused, tested apart)
    users: fc.array(fc.tuple(t, t), { minLength: 4, maxLength: 4 }).map((xs) =>
      xs.map(([c, h], i) => ({ comment: passwdText(c), home: `${clip(passwdText(h).replaceAll('/', '_'), 100)}~${i}` })),
    ),
  });
}
