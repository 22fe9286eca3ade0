/** Pick the transport a host's connection asks for. */
import type { Logger } from 'pino';
import { LocalTransport } from './local.js';
import type { ConnectionSpec, Transport } from './types.js';

export async function connect(
  spec: ConnectionSpec,
  opts: { log: Logger; acceptNew?: boolean; promptPassphrase?: (identityPath: string) => Promise<string> },
): Promise<Transport> {
  if (spec.connection === 'local') return new LocalTransport(spec.host, spec.becomeUser);
  const { connectSsh } = await import('./ssh.js');
  return connectSsh({ ...spec, acceptNew: spec.acceptNew || opts.acceptNew }, { log: opts.log, promptPassphrase: opts.promptPassphrase });
}
