/** Open the queue (and the history it shares a database with); PostgreSQL's client loads only here. */
import type { Queue } from './queue.js';

export async function openQueue(url: string, opts: { max?: number } = {}): Promise<Queue> {
  const [{ PgHistory }, { Queue }] = await Promise.all([import('../drift/pg-history.js'), import('./queue.js')]);
  return new Queue(await PgHistory.open(url, opts));
}
