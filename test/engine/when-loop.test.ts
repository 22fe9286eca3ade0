/**
 * `when` and `loop` through the whole engine over the real local transport: a loop's items
 * converge one file each, a false condition is reported skipped and never probed or applied,
 * a relation to it is dropped, --tags and the JSON report see the skip.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/keel.js';
import { project } from './local-env.js';
import { resource, runLocal } from './run-local.js';

const schema = JSON.parse(readFileSync(join(REPO, 'docs', 'report.schema.json'), 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: true });
ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
const validate = ajv.compile(schema);

const p = project(
  {
    site: `resources:
  - file: "{{ root }}/{{ site.name }}.conf"
    loop: "{{ sites }}"
    loop_var: site
    content: "port {{ site.port }}\\n"
    tags: [sites]
  - file: "{{ root }}/prod-only"
    when: "env_name == 'prod'"
    content: "prod\\n"
    tags: [sites]
  - command: after-prod
    run: "touch {{ root }}/ran"
    creates: "{{ root }}/ran"
    require: "file:{{ root }}/prod-only"
  - service: keel-no-such-unit
    when: false
  - file: "{{ root }}/variant"
    when: "env_name == 'prod'"
    content: "prod variant\\n"
  - file: "{{ root }}/variant"
    when: "env_name != 'prod'"
    content: "dev variant\\n"
`,
  },
  `vars:
  env_name: dev
  sites:
    - {name: shop, port: 8001}
    - {name: blog, port: 8002}
    - {name: docs, port: 8003}
hosts:
  localhost:
    connection: local
    states: [site]
`,
);
afterAll(() => p.remove());

const inv = p.inventory;
const vars = [`root=${p.root}`];

describe('loop and when over the local transport', () => {
  it('plans one file per item and shows the false condition as skipped; exit 2 for the files only', async () => {
    const plan = await runLocal('plan', inv, { vars });
    expect(plan.code).toBe(2);
    for (const s of ['shop', 'blog', 'docs']) expect(resource(plan, `file:${p.root}/${s}.conf`).action).toBe('create');
    expect(resource(plan, `file:${p.root}/prod-only`)).toMatchObject({ status: 'skipped', action: 'none', condition: "env_name == 'prod'" });
    expect(resource(plan, 'service:keel-no-such-unit')).toMatchObject({ status: 'skipped', condition: 'false' });
    expect(plan.text).toContain(`file:${p.root}/prod-only  states/site.yaml:7  skipped: when "env_name == 'prod'" is false`.replace('states/', `${p.dir}/states/`));
    expect(validate(plan.report), JSON.stringify(validate.errors)).toBe(true);
  });

  it('converges the three files, creates nothing skipped, and the host is not failed', async () => {
    const run = await runLocal('converge', inv, { vars });
    expect(run.code, run.text).toBe(0);
    expect(run.report.hosts[0].status).toBe('changed');
    expect(run.report.hosts[0].summary).toMatchObject({ changed: 5, skipped: 3, failed: 0 });
    expect(readdirSync(p.root).sort()).toEqual(['blog.conf', 'docs.conf', 'ran', 'shop.conf', 'variant']);
    // two variants of one path, one per condition: no duplicate id, no shared path, the one that holds wins
    expect(readFileSync(`${p.root}/variant`, 'utf8')).toBe('dev variant\n');
    expect(readFileSync(`${p.root}/blog.conf`, 'utf8')).toBe('port 8002\n');
    expect(validate(run.report), JSON.stringify(validate.errors)).toBe(true);
  });

  it('then plans in sync with exit 0, the skip still shown; a hand-made change to one item is drift', async () => {
    const again = await runLocal('plan', inv, { vars });
    expect(again.code, again.text).toBe(0);
    expect(again.text).toMatch(/localhost: in sync\n.*skipped: when "env_name == 'prod'" is false/);
    writeFileSync(`${p.root}/docs.conf`, 'port 1\n');
    const drift = await runLocal('plan', inv, { vars });
    expect(drift.code).toBe(2);
    const changed = drift.report.hosts[0].resources.filter((r) => r.action !== 'none').map((r) => r.id);
    expect(changed).toEqual([`file:${p.root}/docs.conf`]);
  });

  it('--tags keeps a tagged skip and leaves out an untagged one; the condition holding applies it', async () => {
    const tagged = await runLocal('plan', inv, { vars, tags: ['sites'] });
    const ids = tagged.report.hosts[0].resources.map((r) => r.id);
    expect(ids).toContain(`file:${p.root}/prod-only`);
    expect(ids).not.toContain('service:keel-no-such-unit');
    const prod = await runLocal('converge', inv, { vars: [...vars, 'env_name=prod'] });
    expect(prod.code, prod.text).toBe(0);
    expect(existsSync(`${p.root}/prod-only`)).toBe(true);
    expect(resource(prod, `file:${p.root}/prod-only`).status).toBe('changed');
    expect(readFileSync(`${p.root}/variant`, 'utf8')).toBe('prod variant\n');
  });
});
