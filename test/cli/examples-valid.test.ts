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

  it("the graph of the web host orders each site's checkout before its migrations and its Gunicorn", async () => {
    const res = await keel(['graph', '-l', 'web1', '--format', 'dot']);
    expect(res.code).toBe(0);
    for (const site of ['superbook', 'shelf']) {
      const id = (local: string) => `"django_app[${site}]/${local}"`;
      expect(res.stdout).toContain(`${id(`git:/srv/${site}`)} -> ${id('command:migrate')}`);
      expect(res.stdout).toContain(`${id(`systemd_unit:gunicorn-${site}.service`)} -> ${id(`service:gunicorn-${site}`)}`);
      // a site's config reloads the one Nginx of the plain state nginx
      expect(res.stdout).toContain(`"nginx_site[${site}]/site" -> "service:nginx"`);
    }
  });
});
