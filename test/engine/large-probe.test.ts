/**
 * A host with hundreds of resources: the probe batch is far beyond the kernel's 128 KiB limit
 * for one command-line argument, so it must travel on stdin, still as one exec.
 */
import { describe, expect, it } from 'vitest';
import type { ExecOptions, Transport } from '../../src/transport/types.js';
import { project } from './local-env.js';
import { runLocal } from './run-local.js';

describe('a large probe batch', () => {
  it('plans 600 files in one exec whose script is bigger than 128 KiB', async () => {
    const files = Array.from({ length: 600 }, (_, i) => `  - file: "{{ root }}/f${String(i).padStart(4, '0')}-${'x'.repeat(80)}.conf"\n    content: "${i}\\n"\n`);
    const p = project({ many: `resources:\n${files.join('')}` });
    const sent: { script: string; stdin: string }[] = [];
    const wrap = (t: Transport): Transport => ({
      host: t.host,
      exec: (script: string, opts?: ExecOptions) => {
        sent.push({ script, stdin: String(opts?.stdin ?? '') });
        return t.exec(script, opts);
      },
      put: (...a) => t.put(...a),
      close: () => t.close(),
    });
    const run = await runLocal('plan', p.inventory, { vars: [`root=${p.root}`], wrap });
    expect(run.code, run.text).toBe(2);
    expect(run.report.hosts[0].summary.changed).toBe(600);
    expect(sent).toHaveLength(1);
    expect(sent[0].stdin.length).toBeGreaterThan(128 * 1024);
    p.remove();
  });
});
