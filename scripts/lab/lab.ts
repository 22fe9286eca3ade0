/**
 * Drive the lab by hand until `keel lab` is wired into the CLI:
 *   npx tsx scripts/lab/lab.ts up [N] [--dir DIR] | down [--dir DIR] | status [--dir DIR] | leftovers
 */
import { labDown, labLeftovers, labStatus, labUp } from '../../lab/index.js';
import { isKeelError } from '../../src/errors.js';

const args = process.argv.slice(2);
const dirAt = args.indexOf('--dir');
const dir = dirAt >= 0 ? args.splice(dirAt, 2)[1] : undefined;
const [cmd, count] = args;
const log = (m: string) => process.stderr.write(`keel lab: ${m}\n`);

try {
  const t0 = Date.now();
  if (cmd === 'up') {
    const info = await labUp(Number(count ?? 1), { dir, log });
    console.log(JSON.stringify(info, null, 2));
    log(`up in ${((Date.now() - t0) / 1000).toFixed(2)} s`);
  } else if (cmd === 'down') {
    await labDown({ dir });
    log(`down in ${((Date.now() - t0) / 1000).toFixed(2)} s`);
  } else if (cmd === 'status') {
    for (const h of await labStatus({ dir })) console.log(`${h.name}\t${h.address}\t${h.alive ? 'up' : 'DOWN'}`);
  } else if (cmd === 'leftovers') {
    console.log((await labLeftovers({ dir })).join('\n') || 'none');
  } else {
    console.error('usage: lab.ts up [N] | down | status | leftovers  [--dir DIR]');
    process.exitCode = 2;
  }
} catch (e) {
  console.error(isKeelError(e) ? e.format() : e);
  process.exitCode = 1;
}
