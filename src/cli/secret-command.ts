/** keel secret keygen / encrypt / edit: age-encrypted `!secret` values (docs/cli.md). */
import type { Command } from 'commander';
// the age library and the config code load only when a secret command runs
const load = () => import('./secret-action.js');

export function registerSecretCommand(program: Command, logOptions: (cmd: Command) => Command): void {
  const secret = program.command('secret').description('age-encrypted !secret values in the inventory: keygen, encrypt, edit');

  logOptions(secret.command('keygen'))
    .description('write a new age identity (KEEL_AGE_KEY_FILE, default ~/.config/keel/age.key) and print its recipient')
    .option('--force', 'replace an existing identity (whatever it encrypted can no longer be read with it)')
    .action(async (flags: { force?: boolean }) => (await load()).secretKeygen(flags));

  logOptions(secret.command('encrypt'))
    .description("encrypt a value to the inventory's secrets.recipients and print it as a !secret block to paste")
    .argument('[value]', 'the value (default: read from stdin, one final newline dropped; an argument shows in ps and shell history)')
    .option('-i, --inventory <file>', 'inventory whose secrets.recipients to encrypt to', 'inventory.yaml')
    .option('-n, --name <var>', 'print `VAR: !secret |` and the block, ready to go under vars:')
    .action(async (value: string | undefined, flags: { inventory: string; name?: string }) => (await load()).secretEncrypt(value, flags));

  logOptions(secret.command('edit'))
    .description('decrypt the !secret values of FILE into $EDITOR, and encrypt them again on save')
    .argument('<file>', 'a YAML file with !secret values under vars: (usually the inventory)')
    .option('-i, --inventory <file>', 'inventory whose secrets.recipients to encrypt to (default: FILE itself when it lists them, else inventory.yaml)')
    .option('--rekey', 'encrypt every value again, changed or not (after a change of secrets.recipients)')
    .action(async (file: string, flags: { inventory?: string; rekey?: boolean }) => (await load()).secretEdit(file, flags));
}
