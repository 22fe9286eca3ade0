/**
 * Bundles on a real host (lab6): two instances of one bundle converge side by side, each with
 * its own params, its template rendered from the bundle's folder and a command handler of its
 * own; a second converge changes nothing; a hand edit of one instance's file is drift of that
 * instance only.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keel, keelJson } from '../helpers/keel.js';
import { labHosts } from '../lab/lab-env.js';
import { labProject, onHost } from './lab-inventory.js';

const host = labHosts()[5];
const ROOT = '/srv/keel-bundles-test';
const p = labProject(labHosts(), {
  [host.name]: {
    address: host.address,
    states: [
      'base',
      { bundle: 'site', name: 'shop', with: { server_name: 'shop.example.com', port: 8001 } },
      { bundle: 'site', name: 'blog', with: { server_name: 'blog.example.com' } },
    ],
  },
});
const write = (rel: string, text: string) => {
  mkdirSync(dirname(join(p.dir, rel)), { recursive: true });
  writeFileSync(join(p.dir, rel), text);
};
const changed = (report: any) => report.hosts[0].resources.filter((r: any) => r.status === 'changed').map((r: any) => r.id).sort();

beforeAll(() => {
  p.writeState('base', `resources:\n  - directory: ${ROOT}\n    mode: "0755"\n`);
  write('bundles/site/bundle.yaml', 'params:\n  server_name: {type: string}\n  port: {type: integer, default: 8000}\n');
  write(
    'bundles/site/states/site.yaml',
    [
      'resources:',
      `  - directory: "${ROOT}/{{ server_name }}"`,
      `  - template: "${ROOT}/{{ server_name }}/site.conf"`,
      '    id: conf',
      '    source: templates/site.conf.j2',
      '    mode: "0640"',
      '  - command: stamp',
      `    run: "date +%s%N >> ${ROOT}/{{ server_name }}/reloads"`,
      '    onchanges: [conf]',
      '',
    ].join('\n'),
  );
  write('bundles/site/templates/site.conf.j2', 'server_name {{ server_name }};\nproxy_pass http://127.0.0.1:{{ port }};\n');
});
afterAll(async () => {
  await onHost(host, `rm -rf ${ROOT}`);
});

describe('two instances of one bundle on one host', () => {
  it('converge side by side, each with its own params; a second converge changes nothing', async () => {
    const first = await keelJson(['converge', '-i', p.inventory]);
    expect(first.code, first.stdout).toBe(0);
    expect(changed(first.report)).toEqual([
      `directory:${ROOT}`,
      `site[blog]/command:stamp`,
      'site[blog]/conf',
      `site[blog]/directory:${ROOT}/blog.example.com`,
      `site[shop]/command:stamp`,
      'site[shop]/conf',
      `site[shop]/directory:${ROOT}/shop.example.com`,
    ]);
    expect(await onHost(host, `cat ${ROOT}/shop.example.com/site.conf ${ROOT}/blog.example.com/site.conf; stat -c %a ${ROOT}/blog.example.com/site.conf`)).toBe(
      'server_name shop.example.com;\nproxy_pass http://127.0.0.1:8001;\nserver_name blog.example.com;\nproxy_pass http://127.0.0.1:8000;\n640\n',
    );
    const again = await keelJson(['converge', '-i', p.inventory]);
    expect(again.code).toBe(0);
    expect(again.report.hosts[0].summary.changed).toBe(0);
    expect((await keel(['plan', '-i', p.inventory])).code).toBe(0);
    // each handler ran once, for its own instance's change
    expect(await onHost(host, `wc -l < ${ROOT}/shop.example.com/reloads; wc -l < ${ROOT}/blog.example.com/reloads`)).toBe('1\n1\n');
  });

  it("a hand edit of one instance's file is that instance's drift, fixed with its own handler only", async () => {
    await onHost(host, `echo '# by hand' >> ${ROOT}/blog.example.com/site.conf`);
    const plan = await keelJson(['plan', '-i', p.inventory]);
    expect(plan.code).toBe(2);
    const planned = plan.report.hosts[0].resources.filter((r: any) => r.action !== 'none').map((r: any) => r.id);
    expect(planned).toEqual(['site[blog]/conf', 'site[blog]/command:stamp']);
    const conv = await keelJson(['converge', '-i', p.inventory]);
    expect(conv.code).toBe(0);
    expect(changed(conv.report)).toEqual(['site[blog]/command:stamp', 'site[blog]/conf']);
    expect(await onHost(host, `wc -l < ${ROOT}/shop.example.com/reloads; wc -l < ${ROOT}/blog.example.com/reloads`)).toBe('1\n2\n');
  });
});
