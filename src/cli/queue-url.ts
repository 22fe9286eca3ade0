/** The queue's URL as keel drift/converge --enqueue and keel worker take it (loaded only by them). */
import { UsageError } from '../errors.js';
import { isPostgresUrl } from '../drift/history-backend.js';
import { checkHistoryUrl } from '../drift/open-history.js';

/** --queue must be a PostgreSQL URL without a password in it. */
export function checkQueueUrl(url: string): void {
  if (!isPostgresUrl(url)) throw new UsageError(`--queue ${JSON.stringify(url)}: the queue is a PostgreSQL database`, { hint: 'postgres://USER@HOST:PORT/DATABASE (password from PGPASSWORD or ~/.pgpass)' });
  checkHistoryUrl(url, '--queue');
}
