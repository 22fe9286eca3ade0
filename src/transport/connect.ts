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
  return connectSsh(opts.acceptNew ? acceptingNew(spec) : spec, { log: opts.log, promptPassphrase: opts.promptPassphrase });
}

/** --accept-new is for every host the run connects to: the jump hosts on the way too. */
function acceptingNew(spec: ConnectionSpec): ConnectionSpec {
  return { ...spec, acceptNew: true, jump: spec.jump && acceptingNew(spec.jump) };
}
