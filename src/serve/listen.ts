/**
 * `--listen` and who may connect: the dashboard binds to loopback unless told otherwise, and any
 * other address needs a bearer token, since the diffs it shows can be of files only root reads.
 */
import { isIP } from 'node:net';
import { KeelError } from '../errors.js';

export interface ListenAddress {
  host: string;
  port: number;
}

/** `HOST:PORT`, `[IPv6]:PORT` or a bare `PORT` (on 127.0.0.1); port 0 lets the system choose. */
export function parseListen(value: string): ListenAddress {
  const v = value.trim();
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(v) ?? /^([^:[\]]*):(\d+)$/.exec(v) ?? /^()(\d+)$/.exec(v);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535 || (v.startsWith('[') && isIP(m[1]) !== 6)) {
    throw new KeelError('E_USAGE', `--listen ${JSON.stringify(value)}: expected HOST:PORT (127.0.0.1:8080, [::1]:8080, 0.0.0.0:8080) or a port`);
  }
  return { host: m[1] || '127.0.0.1', port };
}

/** An address only this machine reaches: 127.0.0.0/8, ::1 (also as ::ffff:127.x), localhost. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/** The URL of an address, for the line printed on start-up. */
export const urlOf = (a: ListenAddress) => `http://${isIP(a.host) === 6 ? `[${a.host}]` : a.host}:${a.port}/`;
