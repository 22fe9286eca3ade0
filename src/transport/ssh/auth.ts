/**
 * Authentication methods for one connection, tried in order: identity file, ssh-agent, password.
 * Keys are parsed here, before connecting, so a wrong passphrase is a clear error, not a
 * silent "all methods failed".
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import type { AnyAuthMethod } from 'ssh2';
import { UnreachableError } from '../../errors.js';
import type { ConnectionSpec } from '../types.js';

export type PromptPassphrase = (identityPath: string) => Promise<string>;

export function expandHome(path: string): string {
  if (path === '~') return homedir();
  return path.startsWith('~/') ? join(homedir(), path.slice(2)) : path;
}

const DEFAULT_IDENTITIES = ['~/.ssh/id_ed25519', '~/.ssh/id_ecdsa', '~/.ssh/id_rsa'];

async function readIdentity(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(expandHome(path));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

async function passphraseFor(
  spec: ConnectionSpec,
  path: string,
  prompt: PromptPassphrase | undefined,
  where: string,
): Promise<string> {
  const envName = spec.identityPassphraseEnv;
  if (envName) {
    const value = process.env[envName];
    if (value !== undefined) return value;
    throw new UnreachableError(`identity ${path} is encrypted and $${envName} is not set`, {
      host: spec.host,
      hint: `export ${envName} with the key's passphrase (${where})`,
    });
  }
  if (prompt) return prompt(path);
  throw new UnreachableError(`identity ${path} is encrypted and no passphrase was given`, {
    host: spec.host,
    hint: 'set identity_passphrase_env to the name of an environment variable holding it, or load the key into ssh-agent',
  });
}

async function identityMethod(
  spec: ConnectionSpec,
  path: string,
  data: Buffer,
  prompt: PromptPassphrase | undefined,
  where: string,
): Promise<AnyAuthMethod> {
  const plain = ssh2.utils.parseKey(data);
  if (!(plain instanceof Error)) return { type: 'publickey', username: spec.user, key: data };
  if (!/encrypted|passphrase/i.test(plain.message)) {
    throw new UnreachableError(`identity ${path} is not a private key ssh2 can read: ${plain.message}`, {
      host: spec.host,
      hint: 'use an OpenSSH or PEM private key (ed25519, ecdsa or rsa)',
    });
  }
  const passphrase = await passphraseFor(spec, path, prompt, where);
  const parsed = ssh2.utils.parseKey(data, passphrase);
  if (parsed instanceof Error) {
    throw new UnreachableError(`cannot decrypt identity ${path}: wrong passphrase`, {
      host: spec.host,
      hint: spec.identityPassphraseEnv ? `check $${spec.identityPassphraseEnv}` : 'check the passphrase',
    });
  }
  return { type: 'publickey', username: spec.user, key: data, passphrase };
}

/** The ordered list handed to ssh2's `authHandler`; secrets stay inside it, never logged. */
export async function authMethods(
  spec: ConnectionSpec,
  where: string,
  prompt?: PromptPassphrase,
): Promise<AnyAuthMethod[]> {
  const methods: AnyAuthMethod[] = [];
  if (spec.identity) {
    const data = await readIdentity(spec.identity);
    if (!data) {
      throw new UnreachableError(`identity file ${spec.identity} does not exist`, {
        host: spec.host,
        hint: `fix "identity" for ${spec.host} in the inventory, or create the key with ssh-keygen`,
      });
    }
    methods.push(await identityMethod(spec, spec.identity, data, prompt, where));
  } else {
    for (const path of DEFAULT_IDENTITIES) {
      const data = await readIdentity(path);
      // Default keys are best-effort, as in OpenSSH: an encrypted one is skipped without a prompt.
      if (data && !(ssh2.utils.parseKey(data) instanceof Error)) {
        methods.push({ type: 'publickey', username: spec.user, key: data });
      }
    }
  }
  const agent = process.env.SSH_AUTH_SOCK;
  if (agent) methods.push({ type: 'agent', username: spec.user, agent });
  if (spec.passwordEnv !== undefined && spec.password === undefined) {
    throw new UnreachableError(`password_env names ${spec.passwordEnv}, which is not set`, {
      host: spec.host,
      hint: `export ${spec.passwordEnv}=... before running keel, or remove password_env from the inventory`,
    });
  }
  if (spec.password !== undefined) {
    methods.push({ type: 'password', username: spec.user, password: spec.password });
  }
  if (methods.length === 0) {
    throw new UnreachableError(`no way to authenticate as ${spec.user} to ${where}`, {
      host: spec.host,
      hint: 'set "identity" in the inventory, or start ssh-agent (SSH_AUTH_SOCK)',
    });
  }
  return methods;
}
