/**
 * Batches the facts snippet and every resource's probe into ONE read-only shell script, so the
 * probe phase costs one exec per host whatever the number of resources. Each snippet runs in its
 * own subshell, or, when it is known not to exit or leak state (a shared probe), as a `{ }` group
 * in the script's own shell, without even the fork; its stdout streams through untouched between two marker lines that carry a
 * random nonce (so any bytes survive, binary included), and its exit code and stderr (base64,
 * only when there is any) follow on the closing marker line. No process per snippet but its
 * subshell: framing costs nothing on hosts with hundreds of resources.
 */
import { randomBytes } from 'node:crypto';
import type { ProbeOutput } from '../module.js';
import type { ScriptSnippet } from './shared-probe.js';

export interface ProbeBatch {
  script: string;
  marker: string;
}

export function buildProbeScript(snippets: (string | ScriptSnippet)[], marker = `@@KEEL-${randomBytes(8).toString('hex')}@@`): ProbeBatch {
  const lines = [
    'k_t=$(mktemp -d 2>/dev/null || mktemp -d -t keel.XXXXXX) || exit 97',
    `trap 'rm -rf "$k_t"' EXIT`,
    'k_end() {',
    `  printf '\\n%s E %s %s ' '${marker}' "$1" "$2"`,
    `  if [ -s "$k_t/e" ]; then base64 -w0 < "$k_t/e"; fi`,
    `  printf '\\n'`,
    '}',
  ];
  snippets.forEach((snippet, i) => {
    const { text, grouped } = typeof snippet === 'string' ? { text: snippet, grouped: false } : snippet;
    const [open, close] = grouped ? ['{', '}'] : ['(', ')'];
    lines.push(`printf '%s B\\n' '${marker}'`, `${open}\n${text}\n${close} 2>"$k_t/e" </dev/null; k_end ${i} $?`);
  });
  return { script: lines.join('\n') + '\n', marker };
}

/** Pure: split the script's raw stdout back into one ProbeOutput per snippet. */
export function parseProbeOutput(stdout: Buffer, marker: string, count: number): ProbeOutput[] {
  const outputs: (ProbeOutput | undefined)[] = new Array(count);
  const begin = Buffer.from(`${marker} B\n`);
  const end = Buffer.from(`\n${marker} E `);
  let at = stdout.indexOf(begin);
  while (at >= 0) {
    const start = at + begin.length;
    const stop = stdout.indexOf(end, start);
    if (stop < 0) break;
    const eol = stdout.indexOf(0x0a, stop + end.length);
    const [idx, code, err = ''] = stdout.subarray(stop + end.length, eol < 0 ? undefined : eol).toString('latin1').split(' ');
    const out = Buffer.from(stdout.subarray(start, stop));
    outputs[Number(idx)] = { code: Number(code), stdout: out, stderr: Buffer.from(err, 'base64'), text: out.toString('utf8') };
    at = eol < 0 ? -1 : stdout.indexOf(begin, eol);
  }
  const missing = outputs.findIndex((o) => o === undefined);
  if (outputs.length !== count || missing >= 0) {
    throw new Error(`probe output incomplete: snippet ${missing < 0 ? outputs.length : missing} of ${count} did not report`);
  }
  return outputs as ProbeOutput[];
}
