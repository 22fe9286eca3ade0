/**
 * Password verifiers as PostgreSQL stores them in pg_authid.rolpassword, so a plan can tell
 * whether a declared password is the stored one without the password leaving the controller:
 * SCRAM-SHA-256 (RFC 5802/7677, PostgreSQL's default since 14) and the legacy md5 form.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

const SCRAM = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/]+=*)\$([A-Za-z0-9+/]+=*):([A-Za-z0-9+/]+=*)$/;

/** ASCII-range or Unicode spaces that SASLprep (RFC 4013) maps to U+0020. */
const NON_ASCII_SPACE = /[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/g;
/** Characters "commonly mapped to nothing" (RFC 3454 B.1). */
const MAPPED_TO_NOTHING = /[\u00AD\u034F\u1806\u180B-\u180D\u200C\u200D\u2060\uFE00-\uFE0F\uFEFF]/g;
/** Prohibited output (controls, private use, surrogates, non-characters, tagging, bidi marks). */
const PROHIBITED = /[\u0000-\u001F\u007F-\u009F\u0340\u0341\u200E\u200F\u202A-\u202E\u206A-\u206F\uD800-\uDFFF\uE000-\uF8FF\uFFF9-\uFFFD]|[\u{F0000}-\u{10FFFF}\u{E0001}\u{E0020}-\u{E007F}]|[\uFDD0-\uFDEF]/u;

/**
 * The bytes PostgreSQL hashes: SASLprep of the password, or the raw bytes when the prepared
 * string would hold prohibited characters (PostgreSQL's pg_saslprep fallback). The bidi rule of
 * RFC 3454 section 6 is not checked.
 */
export function saslprep(password: string): Buffer {
  // eslint-disable-next-line no-control-regex
  if (/^[\x20-\x7E]*$/.test(password)) return Buffer.from(password, 'utf8');
  const prepared = password.replace(NON_ASCII_SPACE, ' ').replace(MAPPED_TO_NOTHING, '').normalize('NFKC');
  if (prepared === '' || PROHIBITED.test(prepared)) return Buffer.from(password, 'utf8');
  return Buffer.from(prepared, 'utf8');
}

function keys(password: string, salt: Buffer, iterations: number): { storedKey: Buffer; serverKey: Buffer } {
  const salted = pbkdf2Sync(saslprep(password), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  return {
    storedKey: createHash('sha256').update(clientKey).digest(),
    serverKey: createHmac('sha256', salted).update('Server Key').digest(),
  };
}

/** A SCRAM-SHA-256 verifier as PostgreSQL writes it; salt and iterations as PostgreSQL's defaults. */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = 4096): string {
  const k = keys(password, salt, iterations);
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${k.storedKey.toString('base64')}:${k.serverKey.toString('base64')}`;
}

const same = (a: Buffer, b: Buffer): boolean => a.length === b.length && timingSafeEqual(a, b);

/**
 * Does `password` match the stored verifier of role `role`? False for a missing verifier or
 * a form keel does not know (then the password is set again, which is harmless).
 */
export function passwordMatches(password: string, stored: string | null | undefined, role: string): boolean {
  if (!stored) return false;
  const m = SCRAM.exec(stored);
  if (m) {
    const iterations = Number(m[1]);
    if (!Number.isSafeInteger(iterations) || iterations < 1) return false;
    const k = keys(password, Buffer.from(m[2], 'base64'), iterations);
    return same(k.storedKey, Buffer.from(m[3], 'base64')) && same(k.serverKey, Buffer.from(m[4], 'base64'));
  }
  if (/^md5[0-9a-f]{32}$/.test(stored)) {
    const h = createHash('md5').update(password + role, 'utf8').digest('hex');
    return same(Buffer.from(`md5${h}`), Buffer.from(stored));
  }
  return false;
}
