/**
 * A secret (a `sensitive_vars` value with a quote in it) used as a command's env value, in its
 * script text and in its guard, through plan, converge, drift and graph on a lab host: it must
 * reach the command byte for byte and appear in zero bytes of stdout, --json, trace logs, the
 * drift history, alerts, metrics, the graph, and the host's process list while keel runs.
 *
 * The process list is read two ways: the command and its guard copy every /proc/PID/cmdline at
 * the moment they run (the wrappers that carry them are alive then, so this cannot miss), and a
 * sampler on the host reads them over and over for the whole run.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { writeFileSync } from 'node:fs';
import { keel } from '../helpers/keel.js';
import { labSkip } from '../lab/lab-env.js';
import { moduleHost, moduleProject, onHost, uniq, type ModuleProject } from '../modules/module-lab.js';
import { startWebhook, type Webhook } from '../drift/helpers.js';
import { tracedRuns } from './traced-runs.js';
import { PS_SNAPSHOT, startPsSampler, type PsSampler } from './ps-sampler.js';

const token = randomBytes(6).toString('hex');
/** A quote, a dollar and a backslash: what quoting turns into other bytes. */
const SECRET = `pw'${token}$HOME\\z`;

describe.skipIf(!!labSkip)('secrets on a lab host', () => {
  const u = uniq();
  const dir = `/tmp/keel-secrets-${u}`;
  let m: ModuleProject;
  let hook: Webhook;
  let sampler: PsSampler;

  beforeAll(async () => {
    m = moduleProject(moduleHost(1), { db_password: SECRET });
    hook = await startWebhook();
    const inv = parse(readFileSync(m.project.inventory, 'utf8'));
    inv.sensitive_vars = ['db_password'];
    inv.drift = { webhook: { url: hook.url, timeout: 5 } };
    writeFileSync(m.project.inventory, stringify(inv));
    m.state(
      stringify({
        resources: [
          { directory: dir, mode: '1777' },
          {
            command: `use-db-password-${u}`,
            run: `# the script text holds it too: {{ db_password }}\n${PS_SNAPSHOT} > ${dir}/ps-run\nprintenv PGPASSWORD > ${dir}/got`,
            env: { PGPASSWORD: '{{ db_password }}' },
            unless: `${PS_SNAPSHOT} >> ${dir}/ps-guard; test -e ${dir}/got # {{ db_password }}`,
          },
          {
            command: `as-nobody-${u}`,
            run: `${PS_SNAPSHOT} > ${dir}/ps-nobody\nprintenv PGPASSWORD > ${dir}/got-nobody`,
            user: 'nobody',
            env: { PGPASSWORD: '{{ db_password }}' },
            creates: `${dir}/got-nobody`,
            require: [`command:use-db-password-${u}`],
          },
        ],
      }),
    );
    sampler = await startPsSampler(m.host, `${dir}-s`);
  });

  afterAll(async () => {
    await hook?.close();
    if (m) await onHost(m.host, `rm -rf ${dir} ${dir}-s`);
  });

  it('reaches the command byte for byte and shows up nowhere else', async () => {
    const { run, keep, outputs } = tracedRuns(m.project);
    const plan = keep(await run('plan', '--json'), 2);
    expect(plan.log).toContain('"msg":"facts"'); // debug-level lines are there: --log-level trace took
    keep(await run('plan'), 2);
    const drift = keep(await run('drift', '--metrics-file', join(m.project.dir, 'keel.prom')), 2);
    expect(hook.bodies.length, drift.stdout).toBeGreaterThan(0);
    keep(await run('graph'), 0);
    const conv = keep(await run('converge', '--json'), 0);
    expect(JSON.parse(conv.stdout).hosts[0].summary).toMatchObject({ changed: 3, failed: 0 });
    keep(await run('converge'), 0);
    keep({ ...(await keel(['history', '-i', m.project.inventory, '--json'])), log: '' }, 0);

    const samples = await sampler.stop();
    expect(await onHost(m.host, `cat ${dir}/got`)).toBe(`${SECRET}\n`);
    expect(await onHost(m.host, `cat ${dir}/got-nobody`)).toBe(`${SECRET}\n`);

    const ps = await onHost(m.host, `cat ${dir}/ps-run ${dir}/ps-guard ${dir}/ps-nobody`);
    expect(ps).not.toContain(token);
    // the snapshots saw keel's own wrappers (so they were taken while the secret was in flight)
    expect(ps).toContain('keel_s=$(cat <&3)');
    expect(samples).toContain('sh -s');
    expect(samples).not.toContain(token);

    for (const text of outputs) expect(text).not.toContain(token);
    expect(JSON.stringify(hook.bodies)).not.toContain(token);
    const stateDir = join(m.project.dir, '.keel');
    for (const f of readdirSync(stateDir, { recursive: true }) as string[]) if (statSync(join(stateDir, f)).isFile()) expect(readFileSync(join(stateDir, f)).toString('latin1'), f).not.toContain(token);
    expect(existsSync(join(m.project.dir, 'keel.prom'))).toBe(true);
    expect(readFileSync(join(m.project.dir, 'keel.prom'), 'utf8')).not.toContain(token);
  }, 240_000);
});
