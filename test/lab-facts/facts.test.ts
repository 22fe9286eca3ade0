/**
 * Facts in states on a real Debian host (lab2), through the CLI: a template renders the host's
 * facts into a file (bytes checked against what the host itself says), a `when` on
 * facts.os.family == 'debian' applies and one on 'redhat' is reported skipped with its condition
 * (never created), and a second converge changes nothing.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shq } from '../../src/shell.js';
import { keelJson } from '../helpers/keel.js';
import { labHosts } from '../lab/lab-env.js';
import { labProject, onHost } from '../lab-ssh/lab-inventory.js';

const host = labHosts()[1];
const root = `/tmp/keel-facts-${randomBytes(4).toString('hex')}`;
const p = labProject(labHosts(), { [host.name]: { address: host.address, states: ['facts'], vars: { root } } });

beforeAll(() => {
  p.writeState(
    'facts',
    `resources:
  - directory: "{{ root }}"
  - template: "{{ root }}/facts.txt"
    source: facts.j2
  - file: "{{ root }}/debian"
    content: "{{ facts.os.id }} {{ facts.os.codename }}\\n"
    when: "facts.os.family == 'debian'"
  - file: "{{ root }}/redhat"
    content: "never\\n"
    when: "facts.os.family == 'redhat'"
`,
  );
  writeFileSync(join(p.dir, 'states', 'facts.j2'), '{{ facts.os.family }} {{ facts.cpus }} {{ facts.addresses | join(",") }}\n');
});
afterAll(() => onHost(host, `rm -rf ${shq(root)}`));

describe(`facts in states on ${host.name}`, () => {
  it('converge renders the host\'s facts and applies only the resource whose condition holds on it', async () => {
    const run = await keelJson(['converge', '-i', p.inventory]);
    expect(run.code, run.stdout + run.stderr).toBe(0);

    const [osRelease, cpus, ips] = (await onHost(host, '. /etc/os-release; echo "$ID $VERSION_CODENAME"; nproc; hostname -I')).split('\n');
    expect(osRelease.split(' ')[0]).toBe('debian');
    const text = await onHost(host, `cat ${shq(`${root}/facts.txt`)}`);
    const [family, count, addresses, ...rest] = text.split(' ');
    expect([family, count, rest]).toEqual(['debian', cpus, []]);
    expect(text.endsWith('\n')).toBe(true);
    expect(addresses.trim().split(',').sort()).toEqual(ips.trim().split(/\s+/).sort());
    expect(addresses).not.toMatch(/127\.0\.0\.1|::1\b/);

    expect(await onHost(host, `cat ${shq(`${root}/debian`)}`)).toBe(`${osRelease}\n`);
    expect(await onHost(host, `test -e ${shq(`${root}/redhat`)} && echo present || echo absent`)).toBe('absent\n');
    const byId = (id: string) => run.report.hosts[0].resources.find((r: { id: string }) => r.id === id);
    expect(byId(`file:${root}/redhat`)).toMatchObject({ status: 'skipped', condition: "facts.os.family == 'redhat'" });
    expect(byId(`file:${root}/debian`)).toMatchObject({ status: 'changed' });
  });

  it('a second converge changes nothing', async () => {
    const again = await keelJson(['converge', '-i', p.inventory]);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.report.summary.changed).toBe(0);
    expect(again.report.hosts[0].resources.filter((r: { status: string }) => r.status === 'skipped').map((r: { id: string }) => r.id)).toEqual([`file:${root}/redhat`]);
  });
});
