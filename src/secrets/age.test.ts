import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AgeDecryptError, decryptArmored, encryptArmored, identityFileText, newIdentity, parseIdentityFile, recipientProblem } from './age.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-age-'));

async function reason(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AgeDecryptError);
    return (e as AgeDecryptError).reason;
  }
  throw new Error('decrypted');
}

describe('age values', () => {
  it('round-trips a value to several recipients; either identity decrypts it', async () => {
    const [a, b] = [await newIdentity(), await newIdentity()];
    const armored = await encryptArmored('pä\nss\n', [a.recipient, b.recipient]);
    expect(armored).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----\n[\s\S]+\n-----END AGE ENCRYPTED FILE-----\n$/);
    expect(await decryptArmored(armored, [b.identity])).toBe('pä\nss\n');
    expect(await decryptArmored(`  ${armored}\n\n`, [a.identity])).toBe('pä\nss\n');
  });

  it('names why a value does not decrypt: another key, not armored, changed or cut short', async () => {
    const [a, other] = [await newIdentity(), await newIdentity()];
    const armored = await encryptArmored('secret-value', [a.recipient]);
    expect(await reason(decryptArmored(armored, [other.identity]))).toBe('no-match');
    expect(await reason(decryptArmored('secret-value', [a.identity]))).toBe('not-armored');
    const lines = armored.split('\n');
    lines[2] = lines[2].replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    expect(await reason(decryptArmored(lines.join('\n'), [a.identity]))).toBe('corrupt');
    expect(await reason(decryptArmored(`${lines.slice(0, 2).join('\n')}\n-----END AGE ENCRYPTED FILE-----\n`, [a.identity]))).toBe('corrupt');
  });

  it('checks recipients and reads key files in age-keygen format', async () => {
    const { identity, recipient } = await newIdentity();
    expect(recipientProblem(recipient)).toBeUndefined();
    expect(recipientProblem('age1notarecipient')).toBeDefined();
    expect(recipientProblem(identity)).toBeDefined();
    expect(parseIdentityFile(identityFileText(identity, recipient, new Date(0)))).toEqual([identity]);
    expect(identityFileText(identity, recipient, new Date(0))).toBe(`# created: 1970-01-01T00:00:00Z\n# public key: ${recipient}\n${identity}\n`);
  });
});

describe("interop with Debian's age CLI", () => {
  it('age -d decrypts what keel encrypts, with the key file keel writes', async () => {
    const { identity, recipient } = await newIdentity();
    const key = join(dir, 'keel.key');
    writeFileSync(key, identityFileText(identity, recipient, new Date()));
    const armored = await encryptArmored('from keel: $x \'q\'', [recipient]);
    expect(execFileSync('age', ['-d', '-i', key], { input: armored }).toString()).toBe("from keel: $x 'q'");
    // and age-keygen -y gives the same recipient keel printed
    expect(execFileSync('age-keygen', ['-y', key]).toString().trim()).toBe(recipient);
  });

  it('keel decrypts what age -a encrypts, with a key file age-keygen writes', async () => {
    const key = join(dir, 'age.key');
    execFileSync('age-keygen', ['-o', key], { stdio: 'ignore' });
    const recipient = execFileSync('age-keygen', ['-y', key]).toString().trim();
    const armored = execFileSync('age', ['-a', '-r', recipient], { input: 'from age\n' }).toString();
    expect(await decryptArmored(armored, parseIdentityFile(readFileSync(key, 'utf8')))).toBe('from age\n');
  });
});
