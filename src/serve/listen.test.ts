import { describe, expect, it } from 'vitest';
import { bearerMatches } from './auth.js';
import { isLoopback, parseListen, urlOf } from './listen.js';

describe('--listen', () => {
  it.each([
    ['127.0.0.1:8080', { host: '127.0.0.1', port: 8080 }],
    ['0.0.0.0:80', { host: '0.0.0.0', port: 80 }],
    ['[::1]:9000', { host: '::1', port: 9000 }],
    ['localhost:0', { host: 'localhost', port: 0 }],
    ['9100', { host: '127.0.0.1', port: 9100 }],
    [':9100', { host: '127.0.0.1', port: 9100 }],
  ])('%s', (value, expected) => expect(parseListen(value)).toEqual(expected));

  it.each(['', 'host', '1.2.3.4:70000', '::1:80', '[nothost]:80', '1.2.3.4:x'])('refuses %j', (value) => {
    expect(() => parseListen(value)).toThrow(/expected HOST:PORT/);
  });

  it('knows loopback from the rest', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', 'localhost', '::ffff:127.0.0.1']) expect(isLoopback(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '::ffff:10.0.0.1', 'example.com', '128.0.0.1']) expect(isLoopback(h), h).toBe(false);
  });

  it('a URL brackets an IPv6 address', () => {
    expect(urlOf({ host: '::1', port: 80 })).toBe('http://[::1]:80/');
    expect(urlOf({ host: '127.0.0.1', port: 8080 })).toBe('http://127.0.0.1:8080/');
  });
});

describe('the bearer token', () => {
  it('matches only Bearer and the exact token', () => {
    expect(bearerMatches('Bearer s3cret-token', 's3cret-token')).toBe(true);
    expect(bearerMatches('bearer s3cret-token', 's3cret-token')).toBe(true);
    for (const h of [undefined, '', 'Bearer', 'Bearer s3cret', 'Bearer s3cret-token-and-more', 'Basic s3cret-token', 's3cret-token']) expect(bearerMatches(h, 's3cret-token'), String(h)).toBe(false);
  });
});
