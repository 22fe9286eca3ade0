/**
 * The digests a saved plan keeps instead of what it must not hold: a canonical JSON form (keys
 * sorted, bytes as base64), its SHA-256, and for anything that carries a secret an HMAC keyed by
 * scrypt of the host's secret values, so that the file cannot be used to test guesses at a secret
 * any faster than scrypt allows. The salt is the plan's own.
 */
import { createHash, createHmac, scryptSync } from 'node:crypto';

/** JSON with object keys sorted and undefined dropped; Buffers and Maps in a tagged form. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canon(value));
}

function canon(v: unknown): unknown {
  if (v instanceof Uint8Array) return { $bytes: Buffer.from(v).toString('base64') };
  if (Array.isArray(v)) return v.map(canon);
  if (v instanceof Map) return { $map: [...v.entries()].map(([k, x]) => [canon(k), canon(x)]) };
  if (v instanceof Set) return { $set: [...v].map(canon) };
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .filter((k) => o[k] !== undefined)
        .sort()
        .map((k) => [k, canon(o[k])]),
    );
  }
  return v;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** scrypt cost: 16 MiB and some 50 ms per distinct set of secrets, once per run. */
const SCRYPT = { N: 1 << 14, r: 8, p: 1, maxmem: 64 << 20 };
const keys = new Map<string, Buffer>();

/** The HMAC key of a host's secret values (order does not matter). */
export function secretKey(secrets: readonly string[], salt: string): Buffer {
  const id = canonicalJson([salt, [...new Set(secrets)].sort()]);
  let key = keys.get(id);
  if (!key) {
    key = scryptSync(id, Buffer.from(salt, 'base64'), 32, SCRYPT);
    keys.set(id, key);
  }
  return key;
}

export function keyedDigest(key: Buffer, text: string): string {
  return createHmac('sha256', key).update(text).digest('hex');
}
