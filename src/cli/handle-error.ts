/** The one place an error becomes a message: no stack trace unless the log level is debug. */
import { isKeelError } from '../errors.js';

export function handleError(e: unknown): never {
  const debug = process.argv.some((a, i, all) => a === '--log-level=debug' || a === '--log-level=trace' || (a === '--log-level' && /^(debug|trace)$/.test(all[i + 1] ?? '')));
  if (isKeelError(e)) {
    process.stderr.write(`error: ${e.format()}\n`);
  } else {
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
  }
  if (debug && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  process.exit(1);
}
