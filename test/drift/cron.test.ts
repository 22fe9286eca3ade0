/**
 * The schedule end to end with Debian's real cron daemon on the controller: `keel drift
 * --install-cron "* * * * *"` for a dedicated user (keeldrift), a hand-made change on lab3 shows
 * up in `keel history` and at a real webhook within the schedule; a converge clears it and the
 * "resolved" alert arrives; --uninstall-cron removes the entry.
 *
 * Why a dedicated user works: the job runs keel as keeldrift, so that user gets its own copy of
 * the lab key and known_hosts and owns the project dir (state dir, history, log); root only
 * installs the entry (crontab -u) and reads the history.
 *
 * The checkout may sit where keeldrift cannot enter (a clone under /root or a 0700 directory):
 * the entry is installed from a copy of keel (hard links where possible) that keeldrift can read,
 * first inside a 0700 directory, which the install must refuse at once, then opened up.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify, parse } from 'yaml';
import { keel, REPO, type KeelResult } from '../helpers/keel.js';
import { labHosts, labSkip } from '../lab/lab-env.js';
import { labProject, onHost, type LabProject } from '../lab-ssh/lab-inventory.js';
import type { LabTestHost } from '../lab/global-setup.js';
import { sh } from '../../modules/test-helpers.js';
import { startWebhook, validateAlert, waitFor, type Webhook } from './helpers.js';

const USER = 'keeldrift';
const CRON = '/usr/sbin/cron';
const canRun = process.getuid?.() === 0 && existsSync(CRON) && existsSync('/usr/bin/crontab');

/** Is a cron daemon running in this machine's own pid namespace (not a lab host's)? */
/** keel's files (hard links when on the same file system) in a new 0700 directory. */
async function copyOfKeel(): Promise<{ parent: string; dir: string }> {
  const parent = mkdtempSync(join(tmpdir(), 'keel-cron-install-'));
  const dir = join(parent, 'keel');
  const parts = ['package.json', 'tsconfig.json', 'src', 'modules', 'node_modules'].map((f) => join(REPO, f));
  const copied = await sh(`mkdir ${dir} && (cp -al ${parts.join(' ')} ${dir}/ 2>/dev/null || cp -a ${parts.join(' ')} ${dir}/)`);
  if (copied.code !== 0) throw new Error(`cannot copy keel to ${dir}: ${copied.stderr}`);
  return { parent, dir };
}

/** The keel CLI of the copy at `dir`, run the way keel() runs the checkout's. */
function keelAt(dir: string, args: string[]): Promise<KeelResult> {
  const tsx = pathToFileURL(join(dir, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs')).href;
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', tsx, join(dir, 'src', 'cli', 'main.ts'), ...args], { env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout: stdout.toString(), stderr: stderr.toString() }),
    );
  });
}

function controllerCronRunning(): boolean {
  const mine = readlinkSync('/proc/self/ns/pid');
  const out = spawnSync('pgrep', ['-x', 'cron'], { encoding: 'utf8' }).stdout ?? '';
  return out.split('\n').filter(Boolean).some((pid) => {
    try {
      return readlinkSync(`/proc/${pid}/ns/pid`) === mine;
    } catch {
      return false;
    }
  });
}

describe.skipIf(!!labSkip || (!canRun && process.env.CI !== 'true'))('keel drift --install-cron with the real cron daemon', () => {
  const root = `/srv/keel-cron-${randomBytes(3).toString('hex')}`;
  let h: LabTestHost;
  let p: LabProject;
  let hook: Webhook;
  let cron: ChildProcess | undefined;
  let pidFileWasThere = true;
  let install: { parent: string; dir: string } | undefined;

  beforeAll(async () => {
    h = labHosts().find((x) => x.name === 'lab3')!;
    await sh(`crontab -r -u ${USER} 2>/dev/null; userdel -r ${USER} 2>/dev/null; useradd -m -s /bin/sh ${USER}`);
    hook = await startWebhook();
    install = await copyOfKeel();
    p = labProject([h], { lab3: { address: h.address, states: ['motd'] } });
    copyFileSync(h.identity, join(p.dir, 'id_ed25519'));
    copyFileSync(h.knownHosts, join(p.dir, 'known_hosts'));
    const inv = parse(readFileSync(p.inventory, 'utf8'));
    inv.defaults.identity = 'id_ed25519';
    inv.defaults.known_hosts = 'known_hosts';
    inv.drift = { webhook: { url: hook.url, timeout: 5 } };
    writeFileSync(p.inventory, stringify(inv));
    p.writeState('motd', `resources:\n  - directory: ${root}\n  - file: ${root}/motd\n    content: "managed by keel\\n"\n`);
    expect((await sh(`chown -R ${USER}: ${p.dir} && chmod 600 ${p.dir}/id_ed25519`)).code).toBe(0);
    const c = await keel(['converge', '-i', p.inventory]);
    expect(c.code, c.stdout + c.stderr).toBe(0);
    if (!controllerCronRunning()) {
      pidFileWasThere = existsSync('/run/crond.pid');
      cron = spawn(CRON, ['-f'], { stdio: 'ignore' });
      await new Promise((r, j) => cron!.once('spawn', r).once('error', j));
    }
  });

  afterAll(async () => {
    await sh(`crontab -r -u ${USER} 2>/dev/null; userdel -r ${USER} 2>/dev/null; true`);
    if (cron && cron.exitCode === null) {
      cron.kill('SIGTERM');
      await new Promise((r) => cron!.once('exit', r));
      if (!pidFileWasThere) rmSync('/run/crond.pid', { force: true }); // cron leaves it behind
    }
    await hook?.close();
    if (install) rmSync(install.parent, { recursive: true, force: true });
    if (h) await onHost(h, `rm -rf ${root}`);
  });

  const history = async () => {
    const r = await keel(['history', '-i', p.inventory, '--json']);
    return r.code === 0 ? JSON.parse(r.stdout) : undefined;
  };

  it('refuses at once to install a job its user could not run', async () => {
    const refused = await keelAt(install!.dir, ['drift', '-i', p.inventory, '--install-cron', '* * * * *', '--cron-user', USER]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`the cron job would run keel as ${USER}, who cannot read ${install!.dir}/src/cli/main.ts`);
    expect(refused.stderr).toContain('nothing was installed');
    expect((await sh(`crontab -l -u ${USER} 2>/dev/null`)).stdout.toString()).not.toContain('# keel: drift');
  });

  it('installs idempotently, reports drift and its resolution from cron runs, uninstalls', async () => {
    chmodSync(install!.parent, 0o755);
    const keelCopy = (args: string[]) => keelAt(install!.dir, args);
    const installed = await keelCopy(['drift', '-i', p.inventory, '--install-cron', '* * * * *', '--cron-user', USER]);
    expect(installed.code, installed.stderr).toBe(0);
    expect(installed.stdout).toMatch(/^installed: crontab entry "drift \/\S+\/inventory.yaml" for keeldrift, schedule \* \* \* \* \*/);
    const again = await keelCopy(['drift', '-i', p.inventory, '--install-cron', '* * * * *', '--cron-user', USER]);
    expect(again.stdout).toMatch(/^already installed: /);
    const tab = (await sh(`crontab -l -u ${USER}`)).stdout.toString();
    expect(tab.match(/# keel: drift /g)).toHaveLength(1);
    expect(tab).toContain(`* * * * * umask 077 && mkdir -p ${p.dir}/.keel && `);
    expect(tab).toContain(` drift -i ${p.inventory} --state-dir ${p.dir}/.keel >>${p.dir}/.keel/drift-cron.log 2>&1`);

    const started = Date.now();
    await onHost(h, `echo 'changed by hand' > ${root}/motd`);
    const driftAlert = await waitFor('the drift alert from a cron run', () => hook.bodies.find((b) => b.events.some((e: { type: string }) => e.type === 'drift')), 150_000);
    const driftAfter = Date.now() - started;
    const { method: _m, contentType: _c, ...body } = driftAlert;
    expect(validateAlert(body), JSON.stringify(validateAlert.errors)).toBe(true);
    expect(body.events).toEqual([expect.objectContaining({ type: 'drift', host: 'lab3', resource: `file:${root}/motd` })]);
    const open = (await history())!;
    expect(open.episodes).toEqual([expect.objectContaining({ host: 'lab3', resource: `file:${root}/motd`, status: 'open' })]);
    expect(readFileSync(join(p.dir, '.keel', 'drift-cron.log'), 'utf8')).toContain('lab3: Plan: 0 to add, 1 to change, 0 to destroy, 0 to run, 0 to refresh');

    expect((await keel(['converge', '-i', p.inventory])).code).toBe(0);
    const fixedAt = Date.now();
    const resolved = await waitFor('the resolved alert from the next cron run', () => hook.bodies.find((b) => b.events.some((e: { type: string }) => e.type === 'resolved')), 150_000);
    const resolvedAfter = Date.now() - fixedAt;
    expect(resolved.events[0]).toMatchObject({ type: 'resolved', resolution: 'fixed', firstSeen: body.events[0].firstSeen });
    const done = (await history())!;
    expect(done.episodes[0]).toMatchObject({ status: 'resolved', resolvedAt: resolved.events[0].resolvedAt });
    expect(hook.bodies.filter((b) => b.events.some((e: { type: string }) => e.type === 'drift'))).toHaveLength(1); // no repeat alerts

    const un = await keelCopy(['drift', '-i', p.inventory, '--uninstall-cron', '--cron-user', USER]);
    expect(un.code, un.stderr).toBe(0);
    expect(un.stdout).toMatch(/^removed crontab entry/);
    expect((await sh(`crontab -l -u ${USER} 2>/dev/null`)).stdout.toString()).not.toContain('# keel: drift');
    expect((await keelCopy(['drift', '-i', p.inventory, '--uninstall-cron', '--cron-user', USER])).stdout).toMatch(/^no crontab entry .* nothing to remove/);
    process.stderr.write(`cron: drift alert ${Math.round(driftAfter / 1000)} s after the hand edit, resolved alert ${Math.round(resolvedAfter / 1000)} s after converge\n`);
  }, 400_000);
});
