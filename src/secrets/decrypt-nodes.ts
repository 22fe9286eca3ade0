/** Decrypting found `!secret` values with one identity file: every failure at its value's line. */
import { ConfigError, ConfigErrors } from '../errors.js';
import { sortErrors } from '../config/format.js';
import { AgeDecryptError, decryptArmored, type DecryptFailure } from './age.js';
import { readIdentities, type IdentityLocation } from './identity-file.js';
import type { SecretNode } from './secret-nodes.js';

const HINTS: Record<DecryptFailure, string> = {
  'no-match': 'decrypt with the key of one of its recipients (KEEL_AGE_KEY_FILE=path), or have its holder re-encrypt it to yours with keel secret edit',
  'not-armored': 'a !secret value is the block `keel secret encrypt` prints, from -----BEGIN AGE ENCRYPTED FILE----- to its END line',
  corrupt: 'the ciphertext was changed or cut short: paste the whole block printed by keel secret encrypt again',
};

/** The plaintexts, in the order of `secrets`; throws ConfigErrors naming each value that does not decrypt. */
export async function decryptAll(secrets: readonly SecretNode[], loc: IdentityLocation): Promise<string[]> {
  if (secrets.length === 0) return [];
  const read = readIdentities(loc);
  if ('problem' in read) throw new ConfigErrors([allFailed(secrets, read.problem, 'point KEEL_AGE_KEY_FILE (or secrets.identity in the inventory) at the key file; keel secret keygen writes a new one')]);
  const failed: ConfigError[] = [];
  const unmatched: SecretNode[] = [];
  const out = await Promise.all(
    secrets.map(async (s) => {
      try {
        return await decryptArmored(typeof s.node.value === 'string' ? s.node.value : '', read.identities);
      } catch (e) {
        if (!(e instanceof AgeDecryptError)) throw e;
        if (e.reason === 'no-match') unmatched.push(s);
        else failed.push(new ConfigError(`cannot decrypt ${s.name}: ${e.message}`, { pos: s.pos, hint: HINTS[e.reason] }));
        return '';
      }
    }),
  );
  unmatched.sort((a, b) => a.pos.line - b.pos.line || a.pos.column - b.pos.column);
  if (unmatched.length) failed.push(allFailed(unmatched, `no identity matches (tried ${loc.path}: ${loc.from})`, HINTS['no-match']));
  if (failed.length) throw new ConfigErrors(sortErrors(failed));
  return out;
}

/** One message for values that fail for one cause (no key, a key of other recipients), at the first. */
function allFailed(secrets: readonly SecretNode[], why: string, hint: string): ConfigError {
  const n = secrets.length - 1;
  const more = n > 0 ? ` (and ${n} more !secret value${n > 1 ? 's' : ''}: ${secrets.slice(1).map((s) => s.name).join(', ')})` : '';
  return new ConfigError(`cannot decrypt ${secrets[0].name}${more}: ${why}`, { pos: secrets[0].pos, hint });
}
