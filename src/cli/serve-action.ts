/** keel serve's work, loaded only when `keel serve` runs (fastify with it). */
import { resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { loadInventory } from '../config/index.js';
import { historyLocation } from '../drift/open-history.js';
import { KeelError } from '../errors.js';
import { HistorySource } from '../serve/history-source.js';
import { isLoopback, parseListen, urlOf, type ListenAddress } from '../serve/listen.js';
import { buildServer } from '../serve/server.js';
import type { ServeFlags } from './serve-command.js';

/** The token, from the environment only; `explicit`: --token-env was given, so it must be set. */
function tokenFor(address: ListenAddress, env: string, explicit: boolean): string | undefined {
  const token = process.env[env] || undefined;
  if (token || (isLoopback(address.host) && !explicit)) return token;
  throw new KeelError('E_USAGE', explicit ? `--token-env ${env}: ${env} is not set` : `--listen ${address.host}: not a loopback address, so the dashboard needs a bearer token, and ${env} is not set`, {
    hint: `export ${env}="$(openssl rand -hex 32)" (clients send Authorization: Bearer <it>); never on the command line`,
  });
}

const LISTEN_ERRORS: Record<string, string> = {
  EADDRINUSE: 'the port is taken (another keel serve?)',
  EADDRNOTAVAIL: 'no interface of this machine has that address',
  EACCES: 'permission denied (a port below 1024 needs root)',
};

export async function serveCommand(flags: ServeFlags, tokenEnvGiven: boolean): Promise<void> {
  const address = parseListen(flags.listen);
  const token = tokenFor(address, flags.tokenEnv, tokenEnvGiven);
  // --state-dir or --history say where the history is: the inventory is not read
  const inv = flags.stateDir || flags.history ? undefined : loadInventory(flags.inventory);
  const stateDir = flags.stateDir ? resolve(flags.stateDir) : (inv?.stateDir ?? '');
  const source = await HistorySource.open(historyLocation({ flag: flags.history, setting: inv?.drift?.history, stateDir }));
  const app = buildServer({ source, token });
  try {
    await app.listen({ host: address.host, port: address.port });
  } catch (e) {
    await source.close();
    const why = LISTEN_ERRORS[(e as NodeJS.ErrnoException).code ?? ''] ?? (e as Error).message;
    throw new KeelError('E_LISTEN', `cannot listen on ${flags.listen}: ${why}`, { cause: e, hint: 'pick another with --listen HOST:PORT' });
  }
  const bound = { host: address.host, port: (app.server.address() as AddressInfo).port };
  process.stderr.write(`keel serve: ${urlOf(bound)} (history: ${source.location}${token ? `; bearer token from ${flags.tokenEnv}` : ''}); SIGINT/SIGTERM to stop\n`);
  const signal = await new Promise<string>((done) => {
    process.once('SIGINT', () => done('SIGINT'));
    process.once('SIGTERM', () => done('SIGTERM'));
  });
  await app.close();
  await source.close();
  process.stderr.write(`keel serve: ${signal}: stopped\n`);
}
