import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { passwordMatches, saslprep, scramVerifier } from './scram.js';

// Computed independently (Python hashlib.pbkdf2_hmac + hmac) for "s3cret", salt "0123456789abcdef".
const KNOWN = 'SCRAM-SHA-256$4096:MDEyMzQ1Njc4OWFiY2RlZg==$MiuIWMPE8f1wvUs8gqR/HUOBiaxP2InTIltSNS8murY=:UKlEJeK+9JbWnqN1OJJFASpGl2gC6h5m1W8s9eH3q3Q=';

describe('SCRAM-SHA-256 verifiers', () => {
  it('reproduces a known verifier', () => {
    expect(scramVerifier('s3cret', Buffer.from('0123456789abcdef'))).toBe(KNOWN);
  });
  it('matches the right password only', () => {
    expect(passwordMatches('s3cret', KNOWN, 'any')).toBe(true);
    expect(passwordMatches('s3cret ', KNOWN, 'any')).toBe(false);
    expect(passwordMatches('', KNOWN, 'any')).toBe(false);
  });
  it('round-trips a fresh random salt', () => {
    const v = scramVerifier('pässwörd €');
    expect(v).toMatch(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/]{22}==\$/);
    expect(passwordMatches('pässwörd €', v, 'r')).toBe(true);
    expect(scramVerifier('x')).not.toBe(scramVerifier('x'));
  });
  it('never matches a missing or unknown verifier', () => {
    expect(passwordMatches('x', null, 'r')).toBe(false);
    expect(passwordMatches('x', 'SCRAM-SHA-256$0:AA==$AA==:AA==', 'r')).toBe(false);
    expect(passwordMatches('x', 'plain', 'r')).toBe(false);
  });
});

describe('md5 verifiers', () => {
  it('are md5(password + role name)', () => {
    const stored = 'md5' + createHash('md5').update('s3cretapp').digest('hex');
    expect(passwordMatches('s3cret', stored, 'app')).toBe(true);
    expect(passwordMatches('s3cret', stored, 'other')).toBe(false);
  });
});

describe('saslprep', () => {
  it('leaves ASCII alone and normalises Unicode (RFC 4013)', () => {
    expect(saslprep('abc DEF')).toEqual(Buffer.from('abc DEF'));
    expect(saslprep('I\u00ADX').toString()).toBe('IX'); // soft hyphen maps to nothing
    expect(saslprep('\u2168').toString()).toBe('IX'); // NFKC
    expect(saslprep('a\u00A0b').toString()).toBe('a b'); // non-ASCII space
  });
  it('falls back to the raw bytes when a prohibited character remains', () => {
    expect(saslprep('a\u0007\u00E9')).toEqual(Buffer.from('a\u0007\u00E9'));
  });
});
