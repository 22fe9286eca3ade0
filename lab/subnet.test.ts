/** A lab's subnet must be its own: another interface in it means the two would not route. */
import { describe, expect, it } from 'vitest';
import { parseSubnet, subnetConflicts } from './subnet.js';

const ipAddr = [
  '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever',
  '4: eth0    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\\       valid_lft forever',
  '27: keel-lab0    inet 10.199.0.1/24 scope global keel-lab0\\       valid_lft forever',
  '30: wg0    inet 10.198.0.0/16 scope global wg0',
].join('\n');

describe('subnet conflicts', () => {
  it('a lab re-using its own bridge is no conflict', () => {
    expect(subnetConflicts(parseSubnet('10.199.0.0/24'), 'keel-lab0', ipAddr)).toEqual([]);
  });
  it('another lab on the same /24 is named', () => {
    expect(subnetConflicts(parseSubnet('10.199.0.0/24'), 'keel-scale0', ipAddr)).toEqual(['keel-lab0 (10.199.0.1/24)']);
  });
  it('a wider network that contains the /24 is named; disjoint ones are not', () => {
    expect(subnetConflicts(parseSubnet('10.198.7.0/24'), 'keel-scale0', ipAddr)).toEqual(['wg0 (10.198.0.0/16)']);
    expect(subnetConflicts(parseSubnet('10.197.7.0/24'), 'keel-scale0', ipAddr)).toEqual([]);
  });
});
