#!/usr/bin/env node
// keel's demo: boots two throwaway lab hosts (root on Linux; the lab's Debian packages are
// installed first when missing) and builds the example production stack over SSH: plan ->
// converge -> plan (the plan saved, drawn as an SVG, and applied as saved), the page Django renders, a hand-made change detected and fixed; then takes
// the hosts down. Without root it runs the same on localhost through the local transport under a scratch
// directory. Every step is the real `keel` command a user would type.
import { spawnSync } from 'node:child_process';
import { get } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const keelBin = join(root, 'bin', 'keel.js');
const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);

function keel(args, { expect } = {}) {
  console.log(bold(`\n$ keel ${args.join(' ')}`));
  const res = spawnSync(process.execPath, [keelBin, ...args], { cwd: root, stdio: 'inherit' });
  if (expect !== undefined && !expect.includes(res.status)) {
    console.error(`demo: keel ${args[0]} exited ${res.status}, expected ${expect.join(' or ')}`);
    process.exit(1);
  }
  return res.status;
}

const labSsh = 'ssh -F /dev/null -i .keel/lab/id_ed25519 -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile=.keel/lab/known_hosts';

/** GET / with a Host header (fetch cannot set Host): status and body, or undefined. */
function getPage(address, site) {
  return new Promise((resolve) => {
    const req = get({ host: address, port: 80, path: '/', headers: { Host: site }, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

/**
 * Fetch a site's page through Nginx (Django rendering a row from PostgreSQL), once it is served:
 * its Gunicorn listens, and Nginx's reload took effect (Debian's `nginx -s reload` returns before
 * the old workers, which still serve the removed default site, stop accepting).
 */
async function showPage(address, site) {
  const url = `http://${address}/`;
  console.log(bold(`\n$ curl -H 'Host: ${site}' ${url}`));
  const until = Date.now() + 30_000;
  for (;;) {
    const res = await getPage(address, site);
    if (res?.status === 200 && res.body.includes(`<h1>${site.replace(/\.lab$/, '')}</h1>`)) {
      console.log(res.body.trim());
      return;
    }
    if (Date.now() > until) {
      console.error(`demo: ${url} answered ${res?.status ?? 'nothing'}`);
      process.exit(1);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

function sh(cmd) {
  console.log(bold(`\n$ ${cmd}`));
  const res = spawnSync('sh', ['-c', cmd], { cwd: root, stdio: 'inherit' });
  if (res.status !== 0) process.exit(1);
}

const useLab = process.platform === 'linux' && process.getuid?.() === 0 && process.env.KEEL_DEMO !== 'local';

/** On a fresh Debian machine, install what the lab drives (once; apt-get is a no-op after). */
function ensureLabPackages() {
  const need = { dot: 'graphviz', mmdebstrap: 'mmdebstrap', 'systemd-nspawn': 'systemd-container', 'apt-cacher-ng': 'apt-cacher-ng', ip: 'iproute2', ssh: 'openssh-client', git: 'git' };
  const missing = Object.entries(need).filter(([cmd]) => spawnSync('sh', ['-c', `command -v ${cmd} || test -x /usr/sbin/${cmd}`]).status !== 0);
  if (missing.length === 0 || spawnSync('sh', ['-c', 'command -v apt-get']).status !== 0) return;
  const pkgs = [...new Set(missing.map(([, pkg]) => pkg))].join(' ');
  sh(`apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${pkgs} >/dev/null`);
}

if (useLab) {
  ensureLabPackages();
  keel(['lab', 'up', '2'], { expect: [0] });
  try {
    // the app's code lives in a bare git repository on the web host, as on a git server
    sh('scripts/push-app.sh 10.199.0.11 .keel/lab/id_ed25519 .keel/lab/known_hosts');
    // the reviewed-plan workflow: save the plan, draw it, apply exactly it
    keel(['plan', '--out', '.keel/plan.keel'], { expect: [2] });
    keel(['graph', '--format', 'svg', '--plan', '.keel/plan.keel', '-o', '.keel/stack.svg'], { expect: [0] });
    keel(['converge', '.keel/plan.keel'], { expect: [0] });
    keel(['plan'], { expect: [0] });
    // two Django sites behind one Nginx (two instances of bundles/django_app)
    await showPage('10.199.0.11', 'superbook.lab');
    await showPage('10.199.0.11', 'shelf.lab');
    sh(`${labSsh} root@10.199.0.11 'systemctl stop nginx; chmod 0644 /etc/superbook/env'`);
    keel(['plan'], { expect: [2] });
    keel(['converge', '--yes'], { expect: [0] });
    await showPage('10.199.0.11', 'superbook.lab');
  } finally {
    if (process.env.KEEL_LAB_KEEP !== '1') keel(['lab', 'down']);
  }
} else {
  console.log('demo: not root on Linux, so no lab hosts: converging localhost under a scratch directory');
  const scratch = mkdtempSync(join(tmpdir(), 'keel-demo-'));
  const common = ['-i', 'examples/local/inventory.yaml', '--var', `root=${scratch}`];
  try {
    keel(['plan', ...common, '--out', join(scratch, 'plan.keel')], { expect: [2] });
    keel(['converge', join(scratch, 'plan.keel')], { expect: [0] });
    keel(['plan', ...common], { expect: [0] });
    sh(`echo 'edited by hand' >> ${scratch}/srv/www/index.html && chmod 600 ${scratch}/srv/app.conf`);
    keel(['plan', ...common], { expect: [2] });
    keel(['converge', ...common, '--yes'], { expect: [0] });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
console.log(bold('\ndemo: done'));
