/** Wanted file contents and how their difference from the current contents is shown. */
import { createHash } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { unifiedPatch } from './patch.js';
import { MAX_DIFF_BYTES } from './file-probe.js';

export interface DesiredContent {
  bytes: Buffer;
  sha256: string;
}

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function desiredContent(content: string | Buffer): DesiredContent {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return { bytes, sha256: sha256(bytes) };
}

/** Text worth a line diff: valid UTF-8 with no NUL byte, small enough to read. */
export function isDiffableText(bytes: Buffer): boolean {
  return bytes.length <= MAX_DIFF_BYTES && !bytes.includes(0) && isUtf8(bytes);
}

const short = (h: string | undefined): string => (h ? h.slice(0, 12) : 'none');

/**
 * A unified diff with git-style `a/path` and `b/path` headers (`/dev/null` for a new file).
 * `current` null means the file does not exist; undefined means its contents did not travel
 * (too large) — then, as for binary contents, only the hashes are shown.
 */
export function contentDiff(
  path: string,
  current: Buffer | null | undefined,
  currentSha: string | undefined,
  wanted: DesiredContent,
): string {
  const binary = current === undefined || (current !== null && !isDiffableText(current)) || !isDiffableText(wanted.bytes);
  if (binary) return `binary/large content differs (sha256 ${short(currentSha)} → ${short(wanted.sha256)})\n`;
  const rel = path.replace(/^\/+/, '');
  return unifiedPatch(current === null ? '/dev/null' : `a/${rel}`, `b/${rel}`, current === null ? '' : current.toString('utf8'), wanted.bytes.toString('utf8'));
}
