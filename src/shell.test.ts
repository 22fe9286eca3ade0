import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { hereDoc, shq, shargs } from './shell.js';

describe('shq', () => {
  const nasty = ["", "a b", "it's", "$(rm -rf /)", "`x`", "a\nb", "\\", '"q"', "*", "-n", "ü ☃"];
  it.each(nasty)('round-trips %j through a real sh', (value) => {
    const out = execFileSync('sh', ['-c', `printf %s ${shq(value)}`]).toString();
    expect(out).toBe(value);
  });
  it('leaves safe words bare and joins arguments', () => {
    expect(shq('/etc/nginx.conf')).toBe('/etc/nginx.conf');
    expect(shargs('echo', 'a b')).toBe("echo 'a b'");
  });
});

describe('hereDoc', () => {
  it('carries text whose lines look like its delimiter, unexpanded', () => {
    const text = "KEEL_EOF\nKEEL_EOF_1\n$(echo no) `echo no` $HOME 'q' \\\nend";
    const doc = hereDoc(text);
    expect(doc.redirect).toBe("<<'KEEL_EOF_2'");
    expect(execFileSync('sh', ['-c', `cat ${doc.redirect}\n${doc.body}\n`]).toString()).toBe(`${text}\n`);
  });
});
