/** Every machine-wide name of a lab derives from its name; two labs never claim the same one. */
import { describe, expect, it } from 'vitest';
import { isLabProcess } from './leftovers.js';
import { checkLabName, defaultSubnetFor, hostsOfNetnsList, labNames, linksOfLinkList, netnsName, vethName } from './names.js';

describe('lab names', () => {
  it('the default lab keeps the names keel always used', () => {
    const n = labNames();
    expect([n.name, n.bridge, n.cgroup, n.defaultSubnet, n.suffix]).toEqual(['lab', 'keel-lab0', 'keel-lab', '10.199.0.0/24', '']);
    expect(n.hostName(1)).toBe('lab1');
    expect([netnsName('lab1'), vethName('lab10')]).toEqual(['keel-lab1', 'vk-lab10']);
  });

  it('another name has its own hosts, bridge, cgroup, suffix and subnet', () => {
    const n = labNames('scale');
    expect([n.bridge, n.cgroup, n.suffix, n.hostName(200)]).toEqual(['keel-scale0', 'keel-scale', '-scale', 'scale200']);
    expect(n.defaultSubnet).toMatch(/^10\.198\.\d{1,3}\.0\/24$/);
    expect(defaultSubnetFor('scale')).toBe(n.defaultSubnet);
    expect(defaultSubnetFor('bench')).not.toBe(defaultSubnetFor('scale'));
  });

  it('keeps every link name within the 15 characters Linux allows', () => {
    const longest = labNames('abcdefghi');
    expect(vethName(longest.hostName(244)).length).toBeLessThanOrEqual(15);
    expect(longest.bridge.length).toBeLessThanOrEqual(15);
    expect(() => checkLabName('abcdefghij')).toThrow(/1 to 9 characters/);
  });

  it('refuses names that could read as another lab\'s host (a trailing digit) or are not plain', () => {
    for (const bad of ['lab1', 'Lab', '-lab', 'lab-', '', 'la b', 'lab/x']) expect(() => checkLabName(bad), bad).toThrow(/lab name/);
    for (const good of ['lab', 'x', 'scale', 'bench-e', 'a1b']) expect(checkLabName(good)).toBe(good);
  });

  it('tells its own hosts from another lab\'s', () => {
    const lab = labNames('lab');
    expect(['lab1', 'lab10', 'lab200'].every(lab.ownsHost)).toBe(true);
    expect(['labx1', 'lab', 'lab-x1', 'scale1', 'lab1a', 'xlab1'].some(lab.ownsHost)).toBe(false);
    expect(labNames('lab-x').ownsHost('lab-x3')).toBe(true);
  });
});

describe('a lab\'s machine objects among those of other labs', () => {
  const lab = labNames('lab');
  const scale = labNames('scale');
  const netns = 'keel-lab3 (id: 8)\nkeel-scale1 (id: 12)\nkeel-lab10\nkeel-labx2\nother\n';
  const links = [
    '1: lo: <LOOPBACK,UP> mtu 65536',
    '27: keel-lab0: <BROADCAST,MULTICAST,UP> mtu 1500',
    '28: vk-lab10@if2: <BROADCAST> mtu 1500',
    '40: keel-scale0: <BROADCAST> mtu 1500',
    '41: vk-scale1@if2: <BROADCAST> mtu 1500',
    '42: vk-labx1@if2: <BROADCAST> mtu 1500',
  ].join('\n');

  it('network namespaces', () => {
    expect(hostsOfNetnsList(lab, netns)).toEqual(['lab3', 'lab10']);
    expect(hostsOfNetnsList(scale, netns)).toEqual(['scale1']);
  });

  it('links: the bridge and the host veths', () => {
    expect(linksOfLinkList(lab, links)).toEqual(['keel-lab0', 'vk-lab10']);
    expect(linksOfLinkList(scale, links)).toEqual(['keel-scale0', 'vk-scale1']);
  });

  it('processes: supervisors, nspawns and the apt proxy', () => {
    const sup = (host: string, dir: string) => ['sh', '-c', 'script', 'keel-lab-supervisor', host, `/run/netns/keel-${host}`, `${dir}/hosts/${host}/root`];
    const nspawn = (host: string, dir: string) => ['/usr/bin/systemd-nspawn', '--boot', '-D', `${dir}/hosts/${host}/root`, '-M', host];
    const acng = (base: string) => ['/usr/sbin/apt-cacher-ng', '-c', `${base}/conf`];
    const mine = (argv: string[]) => isLabProcess(argv, scale, '/x/.keel/scale', '/c/apt-cacher-ng-scale/conf');
    expect([sup('scale4', '/x/.keel/scale'), nspawn('scale4', '/x/.keel/scale'), acng('/c/apt-cacher-ng-scale')].every(mine)).toBe(true);
    expect([sup('lab4', '/w/test-lab'), nspawn('lab4', '/w/test-lab'), acng('/c/apt-cacher-ng'), ['sshd']].some(mine)).toBe(false);
  });
});
