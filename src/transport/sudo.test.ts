import { describe, expect, it } from 'vitest';
import { remoteCommand, sudoFailure, takePid } from './sudo.js';

describe('remoteCommand', () => {
  it('wraps the script in sh -c, quoted, without sudo', () => {
    const c = remoteCommand(`echo 'hi'`);
    expect(c.command).toMatch(/^sh -c '.*' keel 'echo '\\''hi'\\''' keel-pid-[0-9a-f]{24}$/s);
    expect(c.stdinPrefix.length).toBe(0);
  });

  it('uses sudo -n when no password is configured', () => {
    expect(remoteCommand('id', { user: 'root' }).command).toMatch(/^sudo -n -H -u root -- sh -c /);
  });

  it('sends the password on stdin, never in the command line', () => {
    const c = remoteCommand('id', { user: 'post gres', password: 's3cret' });
    expect(c.command).toMatch(/^sudo -S -p '' -H -u 'post gres' -- sh -c /);
    expect(c.command).not.toContain('s3cret');
    const [pw, marker, rest] = c.stdinPrefix.toString().split('\n');
    expect(pw).toBe('s3cret');
    expect(c.command.endsWith(` ${marker}`)).toBe(true);
    expect(rest).toBe('');
  });

  it('refuses a password with a line break', () => {
    expect(() => remoteCommand('id', { user: 'root', password: 'a\nb' })).toThrow(/line break/);
  });
});

describe('takePid', () => {
  it('finds and removes the tagged pid line', () => {
    const r = takePid(Buffer.from('sudo: warning\nkeel-pid-ab 4242\nreal stderr\n'), 'keel-pid-ab');
    expect(r.pid).toBe(4242);
    expect(r.stderr.toString()).toBe('sudo: warning\nreal stderr\n');
    expect(takePid(Buffer.from('keel-pid-ab 42'), 'keel-pid-ab').pid).toBeUndefined(); // line not complete yet
  });
});

describe('sudoFailure', () => {
  const become = { user: 'root' };
  const f = (code: number, err: string) => sudoFailure(code, Buffer.from(err), become, 'PW', 'h')?.message;
  it('recognises sudo refusals and nothing else', () => {
    expect(f(1, 'sudo: a password is required\n')).toBe('sudo needs a password: set become_password_env');
    expect(f(1, 'Sorry, try again.\nsudo: 3 incorrect password attempts\n')).toBe('sudo rejected the password from $PW');
    expect(f(1, 'bob is not in the sudoers file.\n')).toMatch(/may not run commands as root/);
    expect(f(127, 'sh: 1: sudo: not found\n')).toBe('sudo is not installed on the host');
    expect(f(1, 'grep: no match\n')).toBeUndefined();
    expect(f(2, 'sudo: a password is required\n')).toBeUndefined();
  });
});
