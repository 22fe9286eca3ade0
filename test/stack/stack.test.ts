/**
 * The production Django stack (states/*.yaml, bundles/*, examples/superbook) built for real on
 * two fresh lab hosts: PostgreSQL on the db host with one database per site; on the web host one
 * Nginx in front of two Django sites, two instances of bundles/django_app (each its Gunicorn,
 * settings and database) and of bundles/nginx_site. docs/stack.md's block, run line by line,
 * builds it (push the app, plan --out, show, graph, converge of the saved plan), both sites answer
 * by their Host header, a second converge changes nothing, hand-made drift is shown and fixed,
 * and a new commit is deployed to both sites with exactly the steps a deploy needs.
 */
import { get } from 'node:http';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { docBlocks } from '../helpers/docs-example.js';
import { runDocBlock } from '../helpers/docs-run.js';
import { REPO, keel, keelJson } from '../helpers/keel.js';
import { planAndConvergeSets } from '../helpers/plan-sets.js';
import { labHosts, labSkip } from '../lab/lab-env.js';
import { onHost } from '../lab-ssh/lab-inventory.js';

const GREETING = 'Hello from PostgreSQL, rendered by Django';

describe.skipIf(!!labSkip)('the production stack on lab hosts', () => {
  let lab: ReturnType<typeof labHosts>;
  let web: ReturnType<typeof labHosts>[number];
  let db: ReturnType<typeof labHosts>[number];
  const dir = mkdtempSync(join(tmpdir(), 'keel-stack-'));
  const inventory = join(dir, 'inventory.yaml');
  const worktree = join(dir, 'app-src');
  const changedIds = (report: any, host: string) =>
    report.hosts.find((h: any) => h.host === host).resources.filter((r: any) => r.status === 'changed').map((r: any) => r.id).sort();
  /** GET / of the web host with a Host header: status and body (fetch cannot set Host). */
  const getPage = (hostHeader: string) =>
    new Promise<{ status: number; body: string } | undefined>((resolve) => {
      const req = get({ host: web.address, port: 80, path: '/', headers: { Host: hostHeader }, timeout: 10_000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(undefined));
    });
  /**
   * A site's front page once it is served: its Gunicorn listens (a restarted Gunicorn takes a
   * moment) and Nginx serves the new config. Debian's nginx.service reloads with `nginx -s
   * reload`, which signals the master and returns at once; until the old workers stop accepting,
   * a request can still get the removed default site. `marker` is what the right page holds.
   */
  const page = async (site = 'superbook.lab', marker = `<h1>${site.replace(/\.lab$/, '')}</h1>`): Promise<string> => {
    const until = Date.now() + 30_000;
    for (;;) {
      const res = await getPage(site);
      if (res?.status === 200 && res.body.includes(marker)) return res.body;
      if (Date.now() > until) throw new Error(`http://${web.address}/ (Host: ${site}) answered ${res?.status ?? 'nothing'} without ${marker} for 30 s:\n${res?.body ?? ''}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const app = (site: string, id: string) => `django_app[${site}]/${id}`;
  const gitEnv = () => ({
    ...process.env,
    GIT_SSH_COMMAND: `ssh -F /dev/null -i ${web.identity} -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=${web.knownHosts}`,
  });

  beforeAll(() => {
    lab = labHosts();
    [web, db] = [lab[3], lab[4]];
    // the shipped inventory, pointed at two fresh lab hosts; the states are the shipped ones
    // edited as a Document: db_password stays a !secret, decrypted with the committed demo key
    const inv = parseDocument(readFileSync(join(REPO, 'inventory.yaml'), 'utf8'));
    inv.setIn(['defaults'], { user: 'root', identity: web.identity, known_hosts: web.knownHosts });
    inv.setIn(['groups', 'db', 'hosts'], { db1: { address: db.address } });
    inv.setIn(['groups', 'web', 'hosts'], { web1: { address: web.address } });
    inv.setIn(['vars', 'db_host'], db.address);
    inv.setIn(['vars', 'web_network'], db.address.replace(/\.\d+$/, '.0/24'));
    inv.setIn(['secrets', 'identity'], join(REPO, 'examples', 'demo-age.key'));
    writeFileSync(inventory, inv.toString());
    symlinkSync(join(REPO, 'states'), join(dir, 'states'));
    symlinkSync(join(REPO, 'bundles'), join(dir, 'bundles'));
    // docs/stack.md's lines run here as in the repository: scripts/push-app.sh publishes examples/superbook
    symlinkSync(join(REPO, 'scripts'), join(dir, 'scripts'));
    symlinkSync(join(REPO, 'examples'), join(dir, 'examples'));
  });

  it("builds the whole stack as docs/stack.md says (push, plan --out, show, graph, converge of the saved plan, plan); Django renders a row it read from PostgreSQL", async () => {
    // the docs' block line by line (test/helpers/docs-run.ts): each line exits as it says; converge with --json, for its report
    const block = docBlocks().find((b) => b.doc === 'docs/stack.md' && b.note?.run === 'stack');
    expect(block, 'docs/stack.md has a block with the docs-test note {"run": "stack"}').toBeDefined();
    const lines = await runDocBlock(block!, {
      cwd: dir,
      steps: {
        'lab4 and lab5, as keel lab up 2 leaves them': () => {
          mkdirSync(join(dir, '.keel', 'lab'), { recursive: true });
          copyFileSync(web.identity, join(dir, '.keel', 'lab', 'id_ed25519'));
          copyFileSync(web.knownHosts, join(dir, '.keel', 'lab', 'known_hosts'));
        },
      },
      replace: [['10.199.0.11', web.address]],
      env: { KEEL_APP_WORKTREE: worktree },
      json: ['keel converge'],
      timeoutMs: 900_000,
    });
    const saved = join(dir, '.keel', 'plan.keel');
    expect(readFileSync(saved, 'utf8')).not.toContain('lab-only-secret');
    expect(readFileSync(join(dir, '.keel', 'stack.svg'), 'utf8')).toContain('<svg');
    const converged = lines.find((l) => l.command.startsWith('keel converge'))!;
    const conv = { ...converged, report: JSON.parse(converged.stdout) };
    // the plan said what converge did, but for what it showed as "may change"
    const planReport = JSON.parse((await keel(['show', saved, '--json'])).stdout);
    for (const [host, s] of Object.entries(planAndConvergeSets(planReport, conv.report))) expect(s.applied, `${host}: may change ${s.open.join(', ')}`).toEqual(s.planned);
    // the env file holds the database password: its diff shows it as (sensitive) (sensitive_vars)
    expect(conv.stdout).not.toContain('lab-only-secret');
    expect(conv.stdout).toContain('SUPERBOOK_DB_PASSWORD=(sensitive)');
    const failures = conv.report.hosts.flatMap((h: any) => h.resources.filter((r: any) => r.status !== 'ok' && r.status !== 'changed'));
    expect(failures, JSON.stringify(failures, null, 2)).toEqual([]);
    expect(conv.code).toBe(0);
    // two sites behind one Nginx, told apart by the Host header, each with its own database
    const [superbook, shelf] = [await page('superbook.lab'), await page('shelf.lab')];
    expect(superbook).toContain('<h1>superbook</h1>');
    expect(superbook).toContain('database: superbook');
    expect(shelf).toContain('<h1>shelf</h1>');
    expect(shelf).toContain('database: shelf');
    for (const html of [superbook, shelf]) expect(html).toContain(GREETING);
    // superbook is the default site: a request for an unknown name reaches it
    expect(await page(web.address, '<h1>superbook</h1>')).toContain('<h1>superbook</h1>');
    expect(await onHost(web, 'systemctl is-active gunicorn-superbook gunicorn-shelf')).toBe('active\nactive\n');
    // static files come from Nginx itself, not from Django
    const css = await fetch(`http://${web.address}/static/books/style.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('server')).toMatch(/nginx/);
  }, 900_000);

  it('a second converge changes nothing and plan is clean', async () => {
    const again = await keelJson(['converge', '-i', inventory]);
    expect(again.code).toBe(0);
    expect(again.report.hosts.map((h: any) => h.summary.changed)).toEqual([0, 0]);
    expect((await keel(['plan', '-i', inventory])).code).toBe(0);
  });

  it('deploys a new commit: pull, migrate, collect static, restart Gunicorn, and nothing else', async () => {
    const tpl = join(worktree, 'books', 'templates', 'books', 'index.html');
    writeFileSync(tpl, readFileSync(tpl, 'utf8').replace('</body>', '<footer>release 2</footer>\n</body>'));
    execFileSync('git', ['-C', worktree, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qam', 'release 2']);
    execFileSync('git', ['-C', worktree, 'push', '-q', `root@${web.address}:/srv/git/superbook.git`, 'main'], { env: gitEnv() });
    const head = execFileSync('git', ['-C', worktree, 'rev-parse', 'HEAD']).toString().trim();
    // one MainPID per unit (systemctl separates units with an empty line)
    const pids = async () => (await onHost(web, 'systemctl show -p MainPID --value gunicorn-superbook gunicorn-shelf')).split('\n').filter(Boolean);
    const pidsBefore = await pids();

    const plan = await keelJson(['plan', '-i', inventory]);
    for (const site of ['superbook', 'shelf']) {
      const git = plan.report.hosts.find((h: any) => h.host === 'web1').resources.find((r: any) => r.id === app(site, `git:/srv/${site}`));
      expect(git.changes).toContainEqual(expect.objectContaining({ field: 'revision', to: head }));
    }

    const conv = await keelJson(['converge', '-i', inventory]);
    expect(conv.code).toBe(0);
    // nothing was left open: the plan's sets are exactly converge's
    for (const s of Object.values(planAndConvergeSets(plan.report, conv.report))) expect(s.applied).toEqual(s.planned);
    // both sites run the repository's main: each deploys, and nothing else changes
    expect(changedIds(conv.report, 'web1')).toEqual(
      ['shelf', 'superbook'].flatMap((s) => [app(s, 'command:collectstatic'), app(s, 'command:migrate'), app(s, `git:/srv/${s}`), app(s, `service:gunicorn-${s}`)]),
    );
    expect(changedIds(conv.report, 'db1')).toEqual([]);
    const after = await pids();
    expect(after).toHaveLength(2);
    expect(after[0]).not.toBe(pidsBefore[0]);
    expect(after[1]).not.toBe(pidsBefore[1]);
    expect(await onHost(web, "git -c safe.directory='*' -C /srv/superbook rev-parse HEAD; git -c safe.directory='*' -C /srv/shelf rev-parse HEAD")).toBe(`${head}\n${head}\n`);
    for (const site of ['superbook.lab', 'shelf.lab']) {
      const html = await page(site);
      expect(html).toContain('release 2');
      expect(html).toContain(GREETING);
    }
  });
  it('shows hand-made drift with diffs and fixes it', async () => {
    await onHost(web, 'systemctl stop nginx && echo "# edited by hand" >> /etc/nginx/sites-enabled/superbook.lab.conf && chmod 0644 /etc/superbook/env');
    // the role owns the app's tables: hand them to postgres first, as an admin would (last test:
    // the app cannot read them afterwards, which keel does not manage)
    await onHost(db, `cd / && runuser -u postgres -- psql -q -d superbook -c 'REASSIGN OWNED BY superbook TO postgres' -c 'DROP OWNED BY superbook' -c 'ALTER DATABASE superbook OWNER TO postgres' -c 'DROP ROLE superbook'`);
    const saved = join(dir, 'drift.keel');
    const plan = await keelJson(['plan', '-i', inventory, '--out', saved]);
    expect(plan.code).toBe(2);
    const res = (host: string, id: string) => plan.report.hosts.find((h: any) => h.host === host).resources.find((r: any) => r.id === id);
    expect(res('web1', 'service:nginx').changes).toContainEqual({ field: 'running', from: false, to: true });
    expect(res('web1', 'nginx_site[superbook]/site').diff).toContain('-# edited by hand');
    expect(res('web1', app('superbook', 'env')).changes).toContainEqual({ field: 'mode', from: '0644', to: '0640' });
    // the other instances are untouched: nothing to do for them
    expect(res('web1', 'nginx_site[shelf]/site').action).toBe('none');
    expect(res('web1', app('shelf', 'env')).action).toBe('none');
    expect(res('db1', 'postgres_app[superbook]/postgres_role:superbook').action).toBe('create');
    expect(res('db1', 'postgres_app[superbook]/postgres_db:superbook').changes).toContainEqual({ field: 'owner', from: 'postgres', to: 'superbook' });
    expect(res('db1', 'postgres_app[shelf]/postgres_role:shelf').action).toBe('none');
    expect(plan.stdout).not.toContain('lab-only-secret');

    const conv = await keelJson(['converge', saved]);
    expect(conv.code, conv.stdout).toBe(0);
    expect(conv.stdout).not.toContain('lab-only-secret');
    for (const [host, s] of Object.entries(planAndConvergeSets(plan.report, conv.report))) expect(s.applied, `${host}: may change ${s.open.join(', ')}`).toEqual(s.planned);
    expect((await keel(['plan', '-i', inventory])).code).toBe(0);
    expect(await onHost(web, 'systemctl is-active nginx; stat -c %a /etc/superbook/env; grep -c "edited by hand" /etc/nginx/sites-enabled/superbook.lab.conf || true')).toBe('active\n640\n0\n');
    // the role is back, with its password: log in with it over TCP
    expect(await onHost(db, `cd / && PGPASSWORD=lab-only-secret psql -h 127.0.0.1 -U superbook -d superbook -tAc 'select current_user'`)).toBe('superbook\n');
  });
});
