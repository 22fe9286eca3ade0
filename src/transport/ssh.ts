/**
 * SSH transport: one ssh2 connection per host per run, exec and put as channels on it.
 *
 *   const t = await connectSsh(spec, { log });   // UnreachableError if it cannot connect
 *   const { code, stdout } = await t.exec('uname -a', { sudo: spec.become });
 *   await t.put('/etc/motd', 'hi\n', { mode: '0644', sudo: spec.become });
 *   await t.close();
 */
import type { ConnectionSpec, Transport } from './types.js';
import { connectClient, type ConnectOptions } from './ssh/connect.js';
import { SshTransport } from './ssh/ssh-transport.js';

export type { ConnectOptions } from './ssh/connect.js';
export type { PromptPassphrase } from './ssh/auth.js';
export { SshTransport, MAX_CHANNELS } from './ssh/ssh-transport.js';

/** Connect to `spec` (through `spec.jump` when set), verifying host keys, and authenticate. */
export async function connectSsh(spec: ConnectionSpec, opts: ConnectOptions = {}): Promise<Transport> {
  const jump = spec.jump ? await connectSsh(spec.jump, opts) : undefined;
  const jumpClient = jump instanceof SshTransport ? jump.sshClient : undefined;
  try {
    const client = await connectClient(spec, opts, jumpClient);
    opts.log?.debug({ host: spec.host }, 'ssh connected');
    return new SshTransport(spec, client, jump, opts.log);
  } catch (e) {
    await jump?.close();
    throw e;
  }
}
