/**
 * The one place an error becomes a message: no stack trace unless the log level is debug. With
 * `--json`, the errors also go to stdout as data (src/report/error-document.ts), so a script
 * that reads keel's stdout gets JSON on failure too.
 */
import { isKeelError } from '../errors.js';
import { errorDocument } from '../report/error-document.js';
import { escapeTerminal } from '../report/escape.js';

const mode = { json: false, debug: false, set: false };

/** Set once the command line is parsed (main.ts's preAction hook): `--json`, and a debug log level. */
export function setErrorOutput(m: { json: boolean; debug: boolean }): void {
  Object.assign(mode, m, { set: true });
}

export function handleError(e: unknown): never {
  // an error before the flags were applied still honours a debug level given on the command line
  const debug = mode.set ? mode.debug : process.argv.some((a, i, all) => a === '--log-level=debug' || a === '--log-level=trace' || (a === '--log-level' && /^(debug|trace)$/.test(all[i + 1] ?? '')));
  // a flag value refused while the command line is parsed comes before the hook: --json is read from argv then
  const json = mode.set ? mode.json : process.argv.includes('--json');
  if (json) process.stdout.write(`${JSON.stringify(errorDocument(e), null, 2)}\n`);
  // messages quote host output (stderr of a failed command) and input names: keep the terminal safe
  const text = isKeelError(e) ? e.format() : e instanceof Error ? e.message : String(e);
  process.stderr.write(`error: ${escapeTerminal(text)}\n`);
  if (debug && e instanceof Error && e.stack) process.stderr.write(`${escapeTerminal(e.stack)}\n`);
  process.exit(1);
}
