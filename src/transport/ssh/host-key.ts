/**
 * The host-key check handed to ssh2's `hostVerifier`: known key → go on; unknown → refuse unless
 * accept-new (then record it); changed or revoked → always refuse, naming both fingerprints.
 */
import { UnreachableError } from '../../errors.js';
import type { ConnectionSpec } from '../types.js';
import {
  appendKnownHost,
  blobType,
  checkHostKey,
  fingerprint,
  knownHostName,
  type KnownHostEntry,
} from './known-hosts.js';

export interface HostKeyCheck {
  /** ssh2 `hostVerifier` (raw key blob, async verdict). */
  verify: (key: Buffer, done: (ok: boolean) => void) => void;
  /** Why the last key was refused, if it was. */
  readonly refusal: UnreachableError | undefined;
}

export function hostKeyCheck(
  spec: ConnectionSpec,
  knownHostsFile: string,
  entries: KnownHostEntry[],
  where: string,
): HostKeyCheck {
  const name = knownHostName(spec.address, spec.port);
  let refusal: UnreachableError | undefined;
  const refuse = (message: string, hint: string): boolean => {
    refusal = new UnreachableError(message, { host: spec.host, hint });
    return false;
  };

  const decide = async (key: Buffer): Promise<boolean> => {
    const offered = `${fingerprint(key)} (${blobType(key)})`;
    const verdict = checkHostKey(entries, name, key);
    switch (verdict.kind) {
      case 'match':
        return true;
      case 'revoked':
        return refuse(
          `host key ${offered} of ${spec.host} (${where}) is marked @revoked in ${verdict.entry.file}:${verdict.entry.line}`,
          'the host must get a new host key; do not connect until it has one',
        );
      case 'changed': {
        const expected = verdict.expected
          .map((e) => `${fingerprint(e.blob)} (${e.type}, ${e.file}:${e.line})`)
          .join(', ');
        return refuse(
          `host key for ${spec.host} (${where}) has CHANGED: expected ${expected}, offered ${offered}; ` +
            'someone may be intercepting the connection, or the host was reinstalled',
          `if the change is expected, remove the old key with: ssh-keygen -R '${name}' -f ${knownHostsFile}`,
        );
      }
      case 'unknown':
        if (!spec.acceptNew) {
          return refuse(
            `host key for ${spec.host} (${where}) is not known: offered ${offered}, not in ${knownHostsFile}`,
            'run with --accept-new to record it, or add it to known_hosts (ssh-keyscan)',
          );
        }
        try {
          await appendKnownHost(knownHostsFile, name, key);
        } catch (e) {
          return refuse(
            `cannot record the host key of ${spec.host} in ${knownHostsFile}: ${(e as Error).message}`,
            'check that the known_hosts file and its folder are writable',
          );
        }
        entries.push({ file: knownHostsFile, line: 0, patterns: name, type: blobType(key), blob: key });
        return true;
    }
  };

  return {
    verify: (key, done) => {
      decide(key).then(done, (e: unknown) => {
        refuse(`host key check for ${spec.host} failed: ${(e as Error).message}`, 'see the cause');
        done(false);
      });
    },
    get refusal() {
      return refusal;
    },
  };
}
