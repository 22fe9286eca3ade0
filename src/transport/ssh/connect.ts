/**
 * Open one authenticated ssh2 Client: host key checked, auth in order, a connect timeout, and
 * retries with exponential backoff for connection failures only (never for auth or host key).
 * A jump host is connected the same way first; the target is reached through `forwardOut`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Duplex } from 'node:stream';
import ssh2 from 'ssh2';
import type { Client, ClientChannel } from 'ssh2';
import type { Logger } from 'pino';
import { UnreachableError } from '../../errors.js';
import type { ConnectionSpec } from '../types.js';
import { authMethods, expandHome, type PromptPassphrase } from './auth.js';
import { hostKeyCheck } from './host-key.js';
import { loadKnownHosts, preferredHostKeyAlgorithms, knownHostName } from './known-hosts.js';

export interface ConnectOptions {
  log?: Logger;
  /** Asked for an encrypted identity's passphrase when no env var names it (interactive runs). */
  promptPassphrase?: PromptPassphrase;
  /** First retry delay; doubles each attempt (tests shorten it). */
  backoffMs?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_RETRIES = 2;
const KEEPALIVE_INTERVAL_MS = 15_000;
const KEEPALIVE_COUNT_MAX = 3;
const RETRYABLE_CODES = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EAI_AGAIN']);

type Ssh2Error = Error & { level?: string; code?: string | number; reason?: number };

/** A failure worth another try: the network, not the credentials or the host key. */
class ConnectFailure extends Error {
  constructor(
    readonly final: UnreachableError,
    readonly retryable: boolean,
  ) {
    super(final.message);
  }
}

export function describeWhere(spec: ConnectionSpec): string {
  const at = `${spec.user}@${spec.address}:${spec.port}`;
  return spec.jump ? `${at} via ${spec.jump.address}:${spec.jump.port}` : at;
}

function classify(err: Ssh2Error, spec: ConnectionSpec, where: string, timeoutMs: number): ConnectFailure {
  const mk = (message: string, hint: string, retryable: boolean) =>
    new ConnectFailure(new UnreachableError(message, { host: spec.host, hint, cause: err }), retryable);
  const code = typeof err.code === 'string' ? err.code : undefined;
  if (err.level === 'client-authentication') {
    return mk(
      `authentication failed for ${where}: the server refused every method offered`,
      `check "user" and "identity" for ${spec.host}, and that the key's .pub is in ~${spec.user}/.ssh/authorized_keys on the host`,
      false,
    );
  }
  if (err.level === 'client-timeout') {
    return mk(
      `no SSH handshake with ${where} within ${timeoutMs} ms`,
      'check the address and port, firewalls, or raise connect_timeout',
      true,
    );
  }
  if (code === 'ECONNREFUSED') {
    return mk(`cannot connect to ${where}: connection refused`, `is sshd running and listening on port ${spec.port}?`, true);
  }
  if (code === 'ENOTFOUND') {
    return mk(`cannot resolve ${spec.address} (${spec.host})`, 'check "address" in the inventory, or DNS', false);
  }
  if (code && RETRYABLE_CODES.has(code)) {
    return mk(`cannot connect to ${where}: ${code}`, 'check the address, routes and firewalls', true);
  }
  if (err.reason !== undefined) {
    // forwardOut refused by the jump host (its sshd could not reach the target).
    return mk(
      `jump host could not open a tunnel to ${spec.address}:${spec.port}: ${err.message.replace(/^\(SSH\) /, '')}`,
      'check that the target is reachable from the jump host, and AllowTcpForwarding there',
      true,
    );
  }
  return mk(`cannot connect to ${where}: ${err.message}`, 'run with --log-level debug for details', true);
}

function forwardThrough(jump: Client, spec: ConnectionSpec): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    try {
      jump.forwardOut('127.0.0.1', 0, spec.address, spec.port, (err, stream) => (err ? reject(err) : resolve(stream)));
    } catch (e) {
      reject(e);
    }
  });
}

async function attempt(
  spec: ConnectionSpec,
  config: ssh2.ConnectConfig,
  check: ReturnType<typeof hostKeyCheck>,
  where: string,
  jump: Client | undefined,
): Promise<Client> {
  const timeoutMs = config.readyTimeout ?? DEFAULT_CONNECT_TIMEOUT_MS;
  let sock: Duplex | undefined;
  if (jump) {
    try {
      sock = await forwardThrough(jump, spec);
    } catch (e) {
      throw classify(e as Ssh2Error, spec, where, timeoutMs);
    }
  }
  const client = new ssh2.Client();
  return new Promise<Client>((resolve, reject) => {
    let settled = false;
    const fail = (err: Ssh2Error) => {
      if (settled) return;
      settled = true;
      client.destroy();
      const refusal = check.refusal;
      reject(refusal ? new ConnectFailure(refusal, false) : classify(err, spec, where, timeoutMs));
    };
    client.on('ready', () => {
      settled = true;
      resolve(client);
    });
    client.on('error', fail);
    client.on('close', () => fail(Object.assign(new Error('connection closed during the handshake'), { code: 'ECONNRESET' })));
    try {
      client.connect({ ...config, sock });
    } catch (e) {
      fail(e as Ssh2Error);
    }
  });
}

/** Connect (through `jump`, if given) and authenticate; retries connection failures only. */
export async function connectClient(spec: ConnectionSpec, opts: ConnectOptions, jump?: Client): Promise<Client> {
  const where = describeWhere(spec);
  const knownHostsFile = expandHome(spec.knownHosts ?? '~/.ssh/known_hosts');
  const entries = await loadKnownHosts(knownHostsFile);
  const methods = await authMethods(spec, where, opts.promptPassphrase);
  const check = hostKeyCheck(spec, knownHostsFile, entries, where);
  const config: ssh2.ConnectConfig = {
    host: spec.address,
    port: spec.port,
    username: spec.user,
    readyTimeout: spec.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    keepaliveInterval: KEEPALIVE_INTERVAL_MS,
    keepaliveCountMax: KEEPALIVE_COUNT_MAX,
    hostVerifier: check.verify,
    algorithms: {
      serverHostKey: preferredHostKeyAlgorithms(entries, knownHostName(spec.address, spec.port)) as ssh2.ServerHostKeyAlgorithm[],
    },
    authHandler: methods,
  };
  const retries = spec.retries ?? DEFAULT_RETRIES;
  const backoffMs = opts.backoffMs ?? 500;
  for (let n = 0; ; n++) {
    try {
      opts.log?.debug({ host: spec.host, where, attempt: n + 1 }, 'ssh connect');
      return await attempt(spec, config, check, where, jump);
    } catch (e) {
      if (!(e instanceof ConnectFailure)) throw e;
      if (!e.retryable || n >= retries) {
        if (n > 0) e.final.message = `${e.final.message} (after ${n + 1} attempts)`;
        throw e.final;
      }
      const delay = backoffMs * 2 ** n;
      opts.log?.warn({ host: spec.host, where, attempt: n + 1, delayMs: delay, reason: e.message }, 'ssh connect failed; retrying');
      await sleep(delay);
    }
  }
}
