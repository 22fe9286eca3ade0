import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HostReport } from '../report/types.js';
import { serialBatches, stopReason } from './rollout.js';

const host = (name: string, status: HostReport['status']): HostReport => ({
  host: name,
  status,
  durationMs: 0,
  resources: [],
  summary: { ok: 0, changed: 0, failed: 0, skipped: 0, uncertain: 0 },
});

describe('serialBatches', () => {
  it('splits by count or by percent (rounded down, at least one host)', () => {
    const hosts = ['a', 'b', 'c', 'd', 'e'];
    expect(serialBatches(hosts, { hosts: 2 })).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(serialBatches(hosts, { percent: 50 })).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(serialBatches(hosts, { percent: 10 })).toEqual([['a'], ['b'], ['c'], ['d'], ['e']]);
    expect(serialBatches(hosts, undefined)).toEqual([hosts]);
    expect(serialBatches([], { hosts: 3 })).toEqual([]);
  });

  it('always partitions the hosts in order, each batch no larger than asked (property)', () => {
    const serial = fc.oneof(fc.integer({ min: 1, max: 50 }).map((hosts) => ({ hosts })), fc.double({ min: 0.1, max: 100, noNaN: true }).map((percent) => ({ percent })));
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 200 }), serial, (items, s) => {
        const batches = serialBatches(items, s);
        expect(batches.flat()).toEqual(items);
        const max = 'hosts' in s ? s.hosts : Math.max(1, Math.floor((items.length * s.percent) / 100));
        for (const b of batches) expect(b.length >= 1 && b.length <= max).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('stopReason', () => {
  it('stops only when more than the percentage of the batch failed or was unreachable', () => {
    const batch = [host('a', 'changed'), host('b', 'unreachable'), host('c', 'ok'), host('d', 'failed')];
    expect(stopReason(batch, undefined)).toBeUndefined();
    expect(stopReason(batch, 50)).toBeUndefined();
    expect(stopReason(batch, 49.9)).toBe('2 of 4 host(s) of the batch failed (50% > --max-fail-percentage 49.9): b unreachable, d failed');
    expect(stopReason([host('a', 'ok')], 0)).toBeUndefined();
  });
});
