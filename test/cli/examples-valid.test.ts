/** The shipped inventory and states (the production stack example) always validate. */
import { describe, expect, it } from 'vitest';
import { keel } from '../helpers/keel.js';

describe('shipped examples', () => {
  it('the default inventory and the stack states validate, with their params named like modules', async () => {
    // app.yaml has `git: ... user: superbook` and `user: ... group: superbook`: the type is the
    // module that takes the other keys as parameters
    const res = await keel(['validate']);
    expect(res.stderr).toBe('');
    expect(res.stdout).toMatch(/^ok: 2 host\(s\), \d+ resource\(s\), no errors/);
    expect(res.code).toBe(0);
  });

  it('the graph of the web host orders the checkout before migrations and Gunicorn', async () => {
    const res = await keel(['graph', '-l', 'web1', '--format', 'dot']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('"git:/srv/superbook" -> "command:migrate"');
    expect(res.stdout).toContain('"systemd_unit:gunicorn.service" -> "service:gunicorn"');
  });
});
