/**
 * Batches the facts snippet and every resource's probe into ONE read-only shell script, so the
 * probe phase costs one exec per host whatever the number of resources. Each snippet runs in its
 * own subshell; its exit code, stdout and stderr are framed as base64 so any bytes survive.
 */
import { randomBytes } from 'node:crypto';
import type { ProbeOutput } from '../module.js';

export interface ProbeBatch {
  script: string;
  marker: string;
}

export function buildProbeScript(snippets: string[], marker = `@@KEEL-${randomBytes(6).toString('hex')}@@`): ProbeBatch {
  const lines = [
    'k_t=$(mktemp -d 2>/dev/null || mktemp -d -t keel.XXXXXX) || exit 97',
    `trap 'rm -rf "$k_t"' EXIT`,
    'k_frame() {',
    `  printf '\\n%s %s %s ' '${marker}' "$1" "$2"`,
    `  base64 -w0 < "$k_t/o"; printf ' '; base64 -w0 < "$k_t/e"; printf '\\n'`,
    '}',
  ];
  snippets.forEach((snippet, i) => {
    lines.push(`(\n${snippet}\n) >"$k_t/o" 2>"$k_t/e" </dev/null; k_frame ${i} $?`);
  });
  return { script: lines.join('\n') + '\n', marker };
}

/** Pure: split the script's stdout back into one ProbeOutput per snippet. */
export function parseProbeOutput(stdout: string, marker: string, count: number): ProbeOutput[] {
  const outputs: (ProbeOutput | undefined)[] = new Array(count);
  for (const line of stdout.split('\n')) {
    if (!line.startsWith(marker + ' ')) continue;
    const [, idx, code, out = '', err = ''] = line.split(' ');
    const i = Number(idx);
    const o = Buffer.from(out, 'base64');
    outputs[i] = { code: Number(code), stdout: o, stderr: Buffer.from(err, 'base64'), text: o.toString('utf8') };
  }
  const missing = outputs.findIndex((o) => o === undefined);
  if (outputs.length !== count || missing >= 0) {
    throw new Error(`probe output incomplete: snippet ${missing < 0 ? outputs.length : missing} of ${count} did not report`);
  }
  return outputs as ProbeOutput[];
}
