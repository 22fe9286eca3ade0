/**
 * known_hosts, read the way OpenSSH reads it: plain names, `[host]:port`, comma lists,
 * `*`/`?` wildcards, `!` negations, hashed entries (`|1|salt|hash`, HMAC-SHA1) and the
 * `@revoked` marker. Keys are compared as raw SSH blobs, never as fingerprints.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface KnownHostEntry {
  file: string;
  line: number;
  marker?: 'revoked' | 'cert-authority';
  patterns: string;
  type: string;
  blob: Buffer;
}

export type HostKeyVerdict =
  | { kind: 'match'; entry: KnownHostEntry }
  | { kind: 'unknown' }
  | { kind: 'changed'; expected: KnownHostEntry[] }
  | { kind: 'revoked'; entry: KnownHostEntry };

/** The name OpenSSH looks up: `host` on port 22, `[host]:port` elsewhere. */
export function knownHostName(address: string, port: number): string {
  const host = address.toLowerCase();
  return port === 22 ? host : `[${host}]:${port}`;
}

/** OpenSSH's fingerprint format: `SHA256:` + unpadded base64 of the blob's SHA-256. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside a blob (its first SSH string), e.g. `ssh-ed25519`. */
export function blobType(blob: Buffer): string {
  if (blob.length < 4) return '';
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('latin1');
}

export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const fields = raw.trim().split(/\s+/);
    if (fields[0] === '' || fields[0].startsWith('#')) return;
    let marker: KnownHostEntry['marker'];
    if (fields[0].startsWith('@')) {
      const m = fields.shift();
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else return;
    }
    const [patterns, type, b64] = fields;
    if (!patterns || !type || !b64) return;
    const blob = Buffer.from(b64, 'base64');
    if (blobType(blob) !== type) return; // corrupt line: OpenSSH skips it too
    entries.push({ file, line: i + 1, marker, patterns, type, blob });
  });
  return entries;
}

export async function loadKnownHosts(file: string): Promise<KnownHostEntry[]> {
  try {
    return parseKnownHosts(await readFile(file, 'utf8'), file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

function globMatches(pattern: string, name: string): boolean {
  const re = pattern
    .toLowerCase()
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(name);
}

function hashedMatches(pattern: string, name: string): boolean {
  const [, , salt, hash] = pattern.split('|');
  if (!salt || !hash) return false;
  const want = Buffer.from(hash, 'base64');
  const got = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
  return want.length === got.length && timingSafeEqual(want, got);
}

/** Does a known_hosts host field match `name`? A matching negation wins over everything. */
export function patternsMatch(patterns: string, name: string): boolean {
  if (patterns.startsWith('|1|')) return hashedMatches(patterns, name);
  let matched = false;
  for (const p of patterns.split(',')) {
    if (p.startsWith('!')) {
      if (globMatches(p.slice(1), name)) return false;
    } else if (globMatches(p, name)) {
      matched = true;
    }
  }
  return matched;
}

export function checkHostKey(entries: KnownHostEntry[], name: string, blob: Buffer): HostKeyVerdict {
  const forHost = entries.filter((e) => patternsMatch(e.patterns, name));
  const revoked = forHost.find((e) => e.marker === 'revoked' && e.blob.equals(blob));
  if (revoked) return { kind: 'revoked', entry: revoked };
  const plain = forHost.filter((e) => e.marker === undefined);
  const same = plain.find((e) => e.blob.equals(blob));
  if (same) return { kind: 'match', entry: same };
  if (plain.length === 0) return { kind: 'unknown' };
  const sameType = plain.filter((e) => e.type === blobType(blob));
  return { kind: 'changed', expected: sameType.length > 0 ? sameType : plain };
}

const ALGORITHMS_OF_TYPE: Record<string, string[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};
const DEFAULT_ORDER = Object.values(ALGORITHMS_OF_TYPE).flat();

/**
 * Host key algorithms with the types already known for `name` first, as OpenSSH orders them,
 * so a host known by its RSA key is not reported as changed because it also has an ed25519 key.
 */
export function preferredHostKeyAlgorithms(entries: KnownHostEntry[], name: string): string[] {
  const known = entries
    .filter((e) => e.marker === undefined && patternsMatch(e.patterns, name))
    .flatMap((e) => ALGORITHMS_OF_TYPE[e.type] ?? []);
  return [...new Set([...known, ...DEFAULT_ORDER])];
}

/** Record a newly accepted key (accept-new), creating ~/.ssh-like parent folders as needed. */
export async function appendKnownHost(file: string, name: string, blob: Buffer): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  let prefix = '';
  try {
    const text = await readFile(file, 'utf8');
    if (text !== '' && !text.endsWith('\n')) prefix = '\n';
  } catch {
    // a missing file is created below
  }
  await appendFile(file, `${prefix}${name} ${blobType(blob)} ${blob.toString('base64')}\n`, {
    mode: 0o644,
  });
}
