/** The one place an error becomes a message: no stack trace unless the log level is debug. */
import { isKeelError } from '../errors.js';
import { escapeTerminal } from '../report/escape.js';

export function handleError(e: unknown): never {
  const debug = process.argv.some((a, i, all) => a === '--log-level=debug' || a === '--log-level=trace' || (a === '--log-level' && /^(debug|trace)$/.test(all[i + 1] ?? '')));
  // messages quote host output (stderr of a failed command) and input names: keep the terminal safe
  const text = isKeelError(e) ? e.format() : e instanceof Error ? e.message : String(e);
  process.stderr.write(`error: ${escapeTerminal(text)}\n`);
  if (debug && e instanceof Error && e.stack) process.stderr.write(`${escapeTerminal(e.stack)}\n`);
  process.exit(1);
}
