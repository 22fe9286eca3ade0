/** Run a command on a lab host with the system OpenSSH client, host keys checked strictly. */
import { run, type RunResult } from './exec.js';

export interface SshTarget {
  address: string;
  identity: string;
  knownHosts: string;
  user?: string;
}

/** Arguments for `ssh` that use only the lab's key and known_hosts, never the user's config. */
export function sshArgs(t: SshTarget, connectTimeoutS = 3): string[] {
  return [
    '-F', '/dev/null',
    '-i', t.identity,
    '-o', 'IdentitiesOnly=yes',
    '-o', 'IdentityAgent=none',
    '-o', 'BatchMode=yes',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', `UserKnownHostsFile=${t.knownHosts}`,
    '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', `ConnectTimeout=${connectTimeoutS}`,
    '-o', 'LogLevel=ERROR',
    '-l', t.user ?? 'root',
    t.address,
  ];
}

/** `script` is one remote shell command line: quote every value in it with `shq`. */
export function labSsh(t: SshTarget, script: string, opts: { input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return run('ssh', [...sshArgs(t), '--', script], { allowFail: true, ...opts });
}
