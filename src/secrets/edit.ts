/**
 * `keel secret edit FILE`: the file's `!secret` values decrypted into $EDITOR, encrypted again on
 * save. The decrypted text exists only in a 0600 file inside a 0700 temp dir, removed when the
 * editor is done, on an error, and when keel is stopped (SIGINT/SIGTERM); FILE itself is only
 * ever rewritten with ciphertext, atomically.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ConfigError, ConfigErrors, KeelError } from '../errors.js';
import { writeFileAtomic } from '../atomic-write.js';
import { parseYamlText, pathString, type YamlSource } from '../config/source.js';
import { encryptArmored } from './age.js';
import { decryptAll } from './decrypt-nodes.js';
import type { IdentityLocation } from './identity-file.js';
import { findSecretNodes, inventoryVarName, type SecretNode } from './secret-nodes.js';
import { spliceSecrets } from './splice.js';

export interface EditOptions {
  recipients: readonly string[];
  identity: IdentityLocation;
  /** The editor command ($VISUAL, $EDITOR, vi), run by sh with the temp file as "$1". */
  editor: string;
  /** Encrypt every value again, not only changed and new ones (after a change of recipients). */
  rekey?: boolean;
}

export type EditOutcome = { written: false } | { written: true; encrypted: number; kept: number };

export async function editSecretsFile(file: string, opts: EditOptions): Promise<EditOutcome> {
  const text = readText(file);
  const before = parsed(file, text);
  const old = findOrThrow(before);
  const plaintexts = await decryptAll(old, opts.identity);
  const clear = spliceSecrets(text, old, (_s, i) => plaintexts[i]);
  const edited = await inEditor(basename(file), clear, opts.editor);
  if (edited === clear && !opts.rekey) return { written: false };

  const after = parsed(`${file} (your edit, not saved)`, edited);
  const now = findOrThrow(after);
  const previous = new Map(old.map((s, i) => [pathString(s.path), { plain: plaintexts[i], cipher: String(s.node.value) }]));
  let kept = 0;
  const ciphers = await Promise.all(
    now.map(async (s) => {
      const plain = typeof s.node.value === 'string' ? s.node.value : '';
      const was = previous.get(pathString(s.path));
      // an unchanged value keeps its ciphertext: the file's diff shows what was edited, nothing else
      if (!opts.rekey && was?.plain === plain) return (kept++, was.cipher);
      if (opts.recipients.length === 0) throw noRecipients(s);
      return encryptArmored(plain, opts.recipients);
    }),
  );
  const out = spliceSecrets(edited, now, (_s, i) => ciphers[i]);
  const check = findOrThrow(parsed(file, out));
  if (check.length !== ciphers.length || check.some((s, i) => s.node.value !== ciphers[i])) {
    throw new KeelError('E_SECRET', `${file} unchanged: the re-encrypted file would not read back as written (please report this)`);
  }
  writeFileAtomic(file, out, statSync(file).mode & 0o7777);
  return { written: true, encrypted: ciphers.length - kept, kept };
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new KeelError('E_SECRET', `cannot read ${file}: ${why}`, { cause: e });
  }
}

function parsed(file: string, text: string): YamlSource {
  const { source, errors } = parseYamlText(file, text);
  if (errors.length) throw new ConfigErrors(errors);
  return source;
}

function findOrThrow(source: YamlSource): SecretNode[] {
  const { secrets, errors } = findSecretNodes(source, inventoryVarName);
  if (errors.length) throw new ConfigErrors(errors);
  return secrets;
}

function noRecipients(s: SecretNode): ConfigError {
  return new ConfigError(`${s.name}: no recipient to encrypt to: the inventory's secrets.recipients is empty`, {
    pos: s.pos,
    hint: 'add secrets: {recipients: [age1...]} to the inventory (keel secret keygen prints one), or pass -i with the inventory that has them',
  });
}

/** Write `text` to a private temp file, let the user edit it, read it back; the temp dir is gone afterwards whatever happens. */
async function inEditor(name: string, text: string, editor: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'keel-secret-')); // 0700
  const path = join(dir, name);
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  // process.exit (an error elsewhere, a second signal) skips finally blocks, not 'exit' listeners
  process.on('exit', cleanup);
  try {
    writeFileSync(path, text, { mode: 0o600, flag: 'wx' });
    await runEditor(editor, path);
    return readFileSync(path, 'utf8');
  } finally {
    cleanup();
    process.off('exit', cleanup);
  }
}

/**
 * Ctrl-C in a terminal reaches the editor and keel alike: like git, keel leaves it to the editor
 * (vim uses Ctrl-C itself) and gives up only if the editor dies of it. SIGTERM stops both.
 */
function runEditor(editor: string, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', `${editor} "$1"`, 'sh', path], { stdio: 'inherit' });
    const ignore = () => undefined;
    const terminate = () => child.kill('SIGTERM');
    process.on('SIGINT', ignore);
    process.on('SIGTERM', terminate);
    const done = () => (process.off('SIGINT', ignore), process.off('SIGTERM', terminate));
    child.on('error', (e) => (done(), reject(new KeelError('E_SECRET', `cannot run the editor (${editor}): ${e.message}`))));
    child.on('exit', (code, signal) => {
      done();
      if (code === 0) return resolve();
      const how = signal ? `was stopped by ${signal}` : `exited ${code}`;
      reject(new KeelError('E_SECRET', `the editor (${editor}) ${how}: nothing saved, the decrypted copy is removed`));
    });
  });
}
