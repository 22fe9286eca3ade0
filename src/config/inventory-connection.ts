/**
 * A host's connection from the inventory: connection keys merged over its levels (defaults,
 * groups, host) with where each came from, turned into a ConnectionSpec, and `jump:` resolved
 * to the bastion's spec (unknown hosts and cycles are errors at the key).
 */
import { homedir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError, type KeelError, type SourcePos } from '../errors.js';
import type { ConnectionSpec } from '../transport/types.js';
import type { HostConfig } from './types.js';
import { connectionProperties } from './inventory-schema.js';
import type { PathSeg } from './source.js';
import { didYouMean } from './suggest.js';
import type { Vars } from './vars.js';

const CONNECTION_KEYS = Object.keys(connectionProperties);

export function connectionSettings(levels: { value: Vars; path: PathSeg[] }[]): { merged: Vars; origin: Map<string, PathSeg[]> } {
  const merged: Vars = {};
  const origin = new Map<string, PathSeg[]>();
  for (const { value, path } of levels) {
    for (const k of [...CONNECTION_KEYS, 'address']) {
      if (value[k] !== undefined && value[k] !== null) {
        merged[k] = value[k];
        origin.set(k, [...path, k]);
      }
    }
  }
  return { merged, origin };
}

export function localPath(p: unknown, dir: string): string | undefined {
  if (typeof p !== 'string') return undefined;
  if (p === '~' || p.startsWith('~/')) return resolve(homedir(), p.slice(2));
  return isAbsolute(p) ? p : resolve(dir, p);
}

export function connectionSpec(name: string, s: Vars, dir: string): ConnectionSpec {
  const str = (k: string) => (typeof s[k] === 'string' ? (s[k] as string) : undefined);
  return {
    host: name,
    connection: s.connection === 'local' ? 'local' : 'ssh',
    address: str('address') ?? name,
    port: typeof s.port === 'number' ? s.port : 22,
    user: str('user') ?? 'root',
    identity: localPath(s.identity, dir),
    identityPassphraseEnv: str('identity_passphrase_env'),
    knownHosts: localPath(s.known_hosts, dir),
    acceptNew: s.accept_new === true ? true : undefined,
    become: s.become === true,
    becomeUser: str('become_user'),
    becomePasswordEnv: str('become_password_env'),
    // the password itself never sits in the inventory, only the name of its variable
    ...(str('password_env') !== undefined ? { password: process.env[str('password_env')!], passwordEnv: str('password_env')! } : {}),
    connectTimeoutMs: typeof s.connect_timeout === 'number' ? Math.round(s.connect_timeout * 1000) : undefined,
    retries: typeof s.retries === 'number' ? s.retries : undefined,
  };
}

/** `jump: bastion` -> the bastion's ConnectionSpec. A host never jumps through itself. */
export function resolveJumps(
  hosts: Map<string, HostConfig>,
  settings: Map<string, { merged: Vars; origin: Map<string, PathSeg[]> }>,
  valueAt: (p: PathSeg[]) => SourcePos,
  errors: KeelError[],
): void {
  const jumpOf = (h: string) => {
    const j = settings.get(h)?.merged.jump;
    return typeof j === 'string' && j !== h ? j : undefined;
  };
  const reported = new Set<string>();
  const report = (h: string, message: string) => {
    const pos = valueAt(settings.get(h)!.origin.get('jump')!);
    const key = `${pos.line}:${pos.column}:${message}`;
    if (!reported.has(key)) (reported.add(key), errors.push(new ConfigError(message, { pos })));
  };
  const specOf = (h: string, chain: string[]): ConnectionSpec | undefined => {
    const j = jumpOf(h);
    const conn = hosts.get(h)!.connection;
    if (j === undefined) return conn;
    if (!hosts.has(j)) {
      report(h, `jump host '${j}' is not an inventory host${didYouMean(j, hosts.keys())}`);
      return conn;
    }
    if (chain.includes(j)) {
      report(h, `jump cycle: ${[...chain, h, j].join(' -> ')}`);
      return conn;
    }
    return { ...conn, jump: specOf(j, [...chain, h]) };
  };
  for (const h of hosts.keys()) hosts.get(h)!.connection = specOf(h, [])!;
}
