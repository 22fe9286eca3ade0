/**
 * The logging flags every command takes (docs/cli.md): `--log-level`, `--log-file`, and `-v`
 * (info) / `-vv` (debug) as short forms; an explicit `--log-level` wins over `-v`. Applied once
 * the command line is parsed (a preAction hook), before any command's code loads: the log file
 * exists after every command, also one that logs nothing, and errors know whether to print a
 * stack trace (debug) or to go to stdout as JSON too (`--json`).
 */
import { mkdirSync, closeSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { Option, type Command } from 'commander';
import type { LogLevel } from '../log.js';
import { setErrorOutput } from './handle-error.js';

export const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function logOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--log-level <level>', 'log level (logs go to stderr)').choices(LOG_LEVELS).default('warn'))
    .option('--log-file <file>', 'write logs to this file instead of stderr')
    .option('-v, --verbose', 'log more: -v info, -vv debug (--log-level wins when given)', (_: string, n: number) => n + 1, 0);
}

/** The log level `-v`/`-vv` ask for, unless `--log-level` was given on the command line. */
export function effectiveLogLevel(level: LogLevel, verbose: number, levelGiven: boolean): LogLevel {
  if (levelGiven || verbose === 0) return level;
  return verbose === 1 ? 'info' : 'debug';
}

export function applyLogFlags(command: Command): void {
  const o = command.opts<{ logLevel?: LogLevel; logFile?: string; verbose?: number; json?: boolean }>();
  if (o.logLevel === undefined) return; // a command without the logging flags (the `lab` group itself)
  const level = effectiveLogLevel(o.logLevel, o.verbose ?? 0, command.getOptionValueSource('logLevel') === 'cli');
  command.setOptionValue('logLevel', level);
  setErrorOutput({ json: !!o.json, debug: level === 'debug' || level === 'trace' });
  if (o.logFile) {
    mkdirSync(dirname(o.logFile), { recursive: true });
    closeSync(openSync(o.logFile, 'a'));
  }
}
