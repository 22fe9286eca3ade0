import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  blobType,
  checkHostKey,
  fingerprint,
  knownHostName,
  parseKnownHosts,
  patternsMatch,
  preferredHostKeyAlgorithms,
} from './known-hosts.js';

function blob(type: string, body: string): Buffer {
  const t = Buffer.from(type);
  const b = Buffer.from(body);
  const len = (n: number) => Buffer.from([0, 0, 0, n]);
  return Buffer.concat([len(t.length), t, len(b.length), b]);
}
const ED_A = blob('ssh-ed25519', 'a'.repeat(32));
const ED_B = blob('ssh-ed25519', 'b'.repeat(32));
const RSA = blob('ssh-rsa', 'r'.repeat(64));
const line = (hosts: string, key: Buffer) => `${hosts} ${blobType(key)} ${key.toString('base64')}`;
const hashed = (name: string, salt = Buffer.from('0123456789abcdefghij')) =>
  `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;

describe('known_hosts', () => {
  it('names hosts as OpenSSH does', () => {
    expect(knownHostName('Web1.Example', 22)).toBe('web1.example');
    expect(knownHostName('10.0.0.5', 2222)).toBe('[10.0.0.5]:2222');
  });

  it('matches plain names, comma lists, wildcards and negations', () => {
    expect(patternsMatch('web1,web2', 'web2')).toBe(true);
    expect(patternsMatch('web1', 'web10')).toBe(false);
    expect(patternsMatch('[10.0.0.5]:2222', '[10.0.0.5]:2222')).toBe(true);
    expect(patternsMatch('[10.0.0.5]:2222', '10.0.0.5')).toBe(false);
    expect(patternsMatch('*.example.com,!db.example.com', 'web.example.com')).toBe(true);
    expect(patternsMatch('*.example.com,!db.example.com', 'db.example.com')).toBe(false);
    expect(patternsMatch('web?', 'web1')).toBe(true);
    expect(patternsMatch('a.b', 'axb')).toBe(false); // dots are literal
  });

  it('matches hashed entries (HMAC-SHA1 of the name)', () => {
    expect(patternsMatch(hashed('[127.0.0.1]:2222'), '[127.0.0.1]:2222')).toBe(true);
    expect(patternsMatch(hashed('[127.0.0.1]:2222'), '[127.0.0.1]:2223')).toBe(false);
  });

  it('parses markers, comments and skips corrupt lines', () => {
    const text = ['# comment', '', line('web1', ED_A), `@revoked * ${blobType(ED_B)} ${ED_B.toString('base64')}`, 'web2 ssh-ed25519 bm90YWtleQ==', 'garbage'].join('\n');
    const entries = parseKnownHosts(text, 'kh');
    expect(entries.map((e) => [e.line, e.marker, e.patterns])).toEqual([
      [3, undefined, 'web1'],
      [4, 'revoked', '*'],
    ]);
  });

  it('tells a match, an unknown, a changed and a revoked key apart', () => {
    const entries = parseKnownHosts([line('web1,web2', ED_A), line('web3', RSA), `@revoked web4 ${blobType(ED_B)} ${ED_B.toString('base64')}`].join('\n'), 'kh');
    expect(checkHostKey(entries, 'web2', ED_A).kind).toBe('match');
    expect(checkHostKey(entries, 'web9', ED_A).kind).toBe('unknown');
    const changed = checkHostKey(entries, 'web1', ED_B);
    expect(changed.kind).toBe('changed');
    const other = checkHostKey(entries, 'web3', ED_A);
    expect(other.kind === 'changed' && other.expected[0].type).toBe('ssh-rsa');
    expect(checkHostKey(entries, 'web4', ED_B).kind).toBe('revoked');
  });

  it('prefers the algorithms of the key types already known', () => {
    const entries = parseKnownHosts(line('web3', RSA), 'kh');
    expect(preferredHostKeyAlgorithms(entries, 'web3').slice(0, 4)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa', 'ssh-ed25519']);
    expect(preferredHostKeyAlgorithms(entries, 'other')[0]).toBe('ssh-ed25519');
  });

  it('prints SHA256 fingerprints without padding', () => {
    expect(fingerprint(ED_A)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});
