/**
 * The pure text edit behind the line module, after Ansible's lineinfile: replace the last line
 * matching `match`, else keep an identical line, else insert (after/before a pattern, or at
 * the end); or remove lines. Lines are compared and matched without their terminator.
 */

export interface LineEdit {
  text?: string;
  match?: RegExp;
  insertAfter?: RegExp;
  insertBefore?: RegExp;
  state: 'present' | 'absent';
}

interface Line {
  text: string;
  /** "\n", "\r\n", or "" for a last line without a final newline. */
  eol: string;
}

export function splitLines(content: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (start < content.length) {
    const nl = content.indexOf('\n', start);
    if (nl < 0) {
      lines.push({ text: content.slice(start), eol: '' });
      break;
    }
    const crlf = nl > start && content[nl - 1] === '\r';
    lines.push({ text: content.slice(start, crlf ? nl - 1 : nl), eol: crlf ? '\r\n' : '\n' });
    start = nl + 1;
  }
  return lines;
}

const join = (lines: Line[]): string => lines.map((l) => l.text + l.eol).join('');

/** The file's own line ending: that of its first terminated line ("\n" for a file with none). */
function lineEnding(lines: Line[]): string {
  return lines.find((l) => l.eol !== '')?.eol ?? '\n';
}

/**
 * A RegExp's `g`/`y` flags make `test` stateful; matching must not depend on the previous line.
 * Callers compile patterns without them; this guards against a shared instance anyway.
 */
function test(re: RegExp, s: string): boolean {
  re.lastIndex = 0;
  return re.test(s);
}

/** Last index for which `pred` holds, or -1. */
function lastIndex(lines: Line[], pred: (l: Line) => boolean): number {
  for (let i = lines.length - 1; i >= 0; i--) if (pred(lines[i])) return i;
  return -1;
}

/** Returns the edited contents (the same string when nothing changes). */
export function editLines(content: string, edit: LineEdit): string {
  const lines = splitLines(content);
  if (edit.state === 'absent') {
    const doomed = (l: Line) => (edit.match ? test(edit.match, l.text) : l.text === edit.text);
    const kept = lines.filter((l) => !doomed(l));
    return kept.length === lines.length ? content : join(kept);
  }

  const text = edit.text;
  if (text === undefined) throw new Error('editLines: text is required when state is present');
  // 1. The last line matching `match` becomes text; 2. else an identical line is enough.
  let at = edit.match ? lastIndex(lines, (l) => test(edit.match!, l.text)) : -1;
  if (at < 0) at = lastIndex(lines, (l) => l.text === text);
  if (at >= 0) {
    if (lines[at].text === text) return content;
    // The replaced line keeps its own terminator: CRLF stays CRLF, a missing final newline stays missing.
    lines[at] = { text, eol: lines[at].eol };
    return join(lines);
  }

  // 3. Insert: after the last line matching insertAfter, before the last matching insertBefore,
  // or (no pattern, or no line matches it) at the end.
  const eol = lineEnding(lines);
  let index = lines.length;
  if (edit.insertAfter) {
    const i = lastIndex(lines, (l) => test(edit.insertAfter!, l.text));
    if (i >= 0) index = i + 1;
  } else if (edit.insertBefore) {
    const i = lastIndex(lines, (l) => test(edit.insertBefore!, l.text));
    if (i >= 0) index = i;
  }
  const last = lines[lines.length - 1];
  if (index === lines.length && last && last.eol === '') {
    // Appending after a last line that has no newline: give it one, and the new line too.
    last.eol = eol;
  }
  lines.splice(index, 0, { text, eol });
  return join(lines);
}
