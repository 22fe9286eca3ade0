/** pino logs go to stderr or --log-file, never into stdout's report. */
import { pino, type Logger } from 'pino';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export function createLogger(level: LogLevel = 'warn', file?: string): Logger {
  const dest = file ? pino.destination({ dest: file, sync: true, mkdir: true }) : pino.destination({ fd: 2, sync: true });
  return pino({ level, base: undefined, redact: { paths: ['password', '*.password', 'becomePassword'], censor: '(sensitive)' } }, dest);
}

export const silentLogger: Logger = pino({ level: 'silent' });
