/**
 * The bearer token of `keel serve`: read from an environment variable (argv is visible to every
 * user of the machine), compared in constant time so that response times do not reveal how much
 * of a guess was right.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

// digests have one length whatever was sent, so timingSafeEqual never sees lengths that differ
const digest = (s: string) => createHash('sha256').update(s).digest();

/** Whether an `Authorization` header carries `Bearer <token>`. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer +(\S+) *$/i.exec(header ?? '');
  return timingSafeEqual(digest(m ? m[1] : ''), digest(token)) && !!m;
}
