/**
 * age encryption of single values (the `age-encryption` package): X25519 identities and armored
 * ciphertext, the formats Debian's `age` 1.1 reads and writes, so a value encrypted here
 * decrypts with `age -d` and the other way round.
 */
import { Decrypter, Encrypter, armor, generateX25519Identity, identityToRecipient } from 'age-encryption';

const ARMOR_BEGIN = '-----BEGIN AGE ENCRYPTED FILE-----';

/** Why a value did not decrypt: each gets its own message and hint. */
export type DecryptFailure = 'no-match' | 'not-armored' | 'corrupt';

export class AgeDecryptError extends Error {
  override name = 'AgeDecryptError';
  constructor(
    readonly reason: DecryptFailure,
    message: string,
  ) {
    super(message);
  }
}

/** A new identity (`AGE-SECRET-KEY-1...`) and its recipient (`age1...`). X25519: age 1.1 has no post-quantum keys. */
export async function newIdentity(): Promise<{ identity: string; recipient: string }> {
  const identity = await generateX25519Identity();
  return { identity, recipient: await identityToRecipient(identity) };
}

export function recipientOf(identity: string): Promise<string> {
  return identityToRecipient(identity);
}

/** Undefined when `s` is an age recipient the library can encrypt to, else why not. */
export function recipientProblem(s: string): string | undefined {
  return problemOf(() => new Encrypter().addRecipient(s));
}

/** Undefined when `s` is an identity the library can decrypt with, else why not. */
export function identityProblem(s: string): string | undefined {
  return problemOf(() => new Decrypter().addIdentity(s));
}

function problemOf(check: () => void): string | undefined {
  try {
    check();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** The identities of an age key file: one `AGE-SECRET-KEY-...` per line, `#` comments (age-keygen's format). */
export function parseIdentityFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** The key file `keel secret keygen` writes: age-keygen's layout. */
export function identityFileText(identity: string, recipient: string, created: Date): string {
  return `# created: ${created.toISOString().replace(/\.\d+Z$/, 'Z')}\n# public key: ${recipient}\n${identity}\n`;
}

export async function encryptArmored(plaintext: string, recipients: readonly string[]): Promise<string> {
  const e = new Encrypter();
  for (const r of recipients) e.addRecipient(r);
  return armor.encode(await e.encrypt(plaintext));
}

export async function decryptArmored(text: string, identities: readonly string[]): Promise<string> {
  if (!text.trim().startsWith(ARMOR_BEGIN)) {
    throw new AgeDecryptError('not-armored', `not armored age ciphertext (expected a block starting with ${ARMOR_BEGIN})`);
  }
  let raw: Uint8Array;
  try {
    raw = armor.decode(text);
  } catch (e) {
    throw new AgeDecryptError('corrupt', `corrupt ciphertext: ${(e as Error).message}`);
  }
  const d = new Decrypter();
  for (const id of identities) d.addIdentity(id);
  try {
    // given a stream, the library returns one: read here, not with its `new Response(...).text()`,
    // whose first use loads node's whole fetch implementation (undici, a third of keel validate's time)
    return await readText(await d.decrypt(bytesStream(raw)));
  } catch (e) {
    const message = (e as Error).message;
    if (/no identity matched/.test(message)) throw new AgeDecryptError('no-match', 'no identity matches');
    throw new AgeDecryptError('corrupt', `corrupt ciphertext: ${message}`);
  }
}

function bytesStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

/** The stream's bytes as UTF-8 text (as Response.text(): a BOM dropped, bad bytes replaced). */
async function readText(stream: ReadableStream<Uint8Array>): Promise<string> {
  const chunks: Uint8Array[] = [];
  const reader = stream.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value);
  return new TextDecoder().decode(Buffer.concat(chunks));
}
