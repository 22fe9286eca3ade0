/** The actions of keel secret keygen / encrypt / edit (loaded only when one of them runs). */
import { readFileSync } from 'node:fs';
import { ConfigError, ConfigErrors, UsageError } from '../errors.js';
import { loadInventory } from '../config/index.js';
import { readYamlFile } from '../config/source.js';
import { encryptArmored, identityFileText, newIdentity } from '../secrets/age.js';
import { inventoryIdentity } from '../secrets/decrypt.js';
import { editSecretsFile } from '../secrets/edit.js';
import { identityLocation, writeIdentityFile } from '../secrets/identity-file.js';
import { secretBlock } from '../secrets/secret-block.js';

export async function secretKeygen(flags: { force?: boolean }): Promise<void> {
  const loc = identityLocation(process.env);
  const { identity, recipient } = await newIdentity();
  try {
    writeIdentityFile(loc.path, identityFileText(identity, recipient, new Date()), !!flags.force);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    throw new UsageError(`${loc.path} already exists: keel keeps it (the secrets encrypted to it need it); --force replaces it`);
  }
  process.stderr.write(`wrote ${loc.path} (mode 0600); list its recipient in the inventory: secrets: {recipients: [${recipient}]}\n`);
  process.stdout.write(`${recipient}\n`);
}

export async function secretEncrypt(value: string | undefined, flags: { inventory: string; name?: string }): Promise<void> {
  if (flags.name !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(flags.name)) {
    throw new UsageError(`--name ${JSON.stringify(flags.name)}: expected a variable name (letters, digits, _)`);
  }
  const recipients = recipientsOf(flags.inventory);
  const plain = value ?? readStdin();
  const armored = await encryptArmored(plain, recipients);
  process.stdout.write(secretBlock(armored, flags.name));
}

export async function secretEdit(file: string, flags: { inventory?: string; rekey?: boolean }): Promise<void> {
  const inventory = flags.inventory ?? (listsRecipients(file) ? file : 'inventory.yaml');
  const { source } = readYamlFile(inventory);
  const editor = process.env.VISUAL || process.env.EDITOR || 'vi';
  const outcome = await editSecretsFile(file, {
    recipients: recipientsOf(inventory),
    identity: inventoryIdentity(inventory, source?.doc.toJS(), process.env),
    editor,
    rekey: flags.rekey,
  });
  process.stderr.write(outcome.written ? `${file}: saved (${outcome.encrypted} value(s) encrypted, ${outcome.kept} unchanged)\n` : `${file}: no change\n`);
}

/** The inventory's recipients (validated with the rest of it); none is an error: there would be nobody to encrypt to. */
function recipientsOf(inventory: string): string[] {
  const inv = loadInventory(inventory);
  if (inv.recipients.length > 0) return inv.recipients;
  throw new ConfigErrors([
    new ConfigError(`${inventory} lists no age recipient to encrypt to`, {
      pos: { file: inventory, line: 1, column: 1 },
      hint: 'add secrets: {recipients: [age1...]} (keel secret keygen prints a new one)',
    }),
  ]);
}

function listsRecipients(file: string): boolean {
  const data: unknown = readYamlFile(file).source?.doc.toJS();
  const secrets = (data as { secrets?: { recipients?: unknown } } | null)?.secrets;
  return Array.isArray(secrets?.recipients) && secrets.recipients.length > 0;
}

function readStdin(): string {
  if (process.stdin.isTTY) throw new UsageError('keel secret encrypt: give the value on stdin (printf %s "$VALUE" | keel secret encrypt --name NAME) or as an argument');
  return readFileSync(0, 'utf8').replace(/\n$/, '');
}
