import { describe, expect, it } from 'vitest';
import { aptSeconds } from './apt-time.js';

describe('aptSeconds', () => {
  it('sums the transactions of an apt history log', () => {
    const log = [
      'Start-Date: 2026-12-02  06:41:00',
      'Commandline: apt-get install -y python3-apt',
      'End-Date: 2026-12-02  06:41:05',
      '',
      'Start-Date: 2026-12-02  06:41:10',
      'Install: nginx:amd64 (1.22.1-9+deb12u1)',
      'End-Date: 2026-12-02  06:42:00',
    ].join('\n');
    expect(aptSeconds(log)).toBe(55);
    expect(aptSeconds('')).toBe(0);
  });
});
