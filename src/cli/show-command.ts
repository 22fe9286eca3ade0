/** keel show FILE: a saved plan's report as keel plan printed it, with what it was made from. */
import { readSavedPlan } from '../plan-file/saved-plan.js';
import { escapeTerminalLine } from '../report/escape.js';
import { renderText } from '../report/text.js';

export function showCommand(file: string, flags: { json?: boolean; diffLines: number }): void {
  const plan = readSavedPlan(file);
  if (flags.json) {
    process.stdout.write(JSON.stringify(plan.report, null, 2) + '\n');
    return;
  }
  const made = [`-i ${plan.inventory}`, plan.limit !== undefined && `-l ${plan.limit}`, plan.tags !== undefined && `-t ${plan.tags}`, ...plan.vars.map((v) => `--var ${v.name}=${v.value ?? '(sensitive: give it again to converge)'}`)];
  const head = `Plan saved ${plan.createdAt} by keel ${plan.keel}: keel plan ${made.filter(Boolean).join(' ')}`;
  process.stdout.write(`${escapeTerminalLine(head)}\n\n${renderText(plan.report, { diffLines: flags.diffLines })}`);
}
