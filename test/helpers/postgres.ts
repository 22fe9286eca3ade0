/**
 * A real PostgreSQL server for a test: Debian's binaries, a fresh data directory under the
 * system's temporary directory, listening on 127.0.0.1 only, on a free port, with a password
 * (scram-sha-256) that clients get from PGPASSWORD as users do. As root the server runs as the
 * `postgres` user (PostgreSQL refuses root). Ready when the server says so on its log.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

export interface TestPostgres {
  /** postgres://keel@127.0.0.1:PORT/keel: no password in it. */
  url: string;
  port: number;
  password: string;
  /** The environment a client needs: PGPASSWORD. */
  env: Record<string, string>;
  /** An empty database of its own on the same server (for a test that needs a clean history). */
  database(name: string): Promise<string>;
  stop(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'postgres'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (!versions.length) throw new Error('PostgreSQL is not installed: apt-get install postgresql (.ci/run does)');
  return join(root, versions[0], 'bin');
}


export async function startPostgres(): Promise<TestPostgres> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'keel-pg-'));
  const data = join(dir, 'data');
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  // as root, the server's processes are the postgres user's (spawned with its uid and gid)
  const ids = process.getuid?.() === 0 ? { uid: Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout), gid: Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout) } : {};
  writeFileSync(join(dir, 'pw'), password + '\n');
  if (ids.uid !== undefined) {
    chownSync(dir, ids.uid, ids.gid!);
    chownSync(join(dir, 'pw'), ids.uid, ids.gid!);
  }
  chmodSync(dir, 0o700);
  const init = spawnSync(join(bin, 'initdb'), [ '-D', data, '-U', 'keel', `--pwfile=${join(dir, 'pw')}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-sync'], { encoding: 'utf8', cwd: dir, ...ids });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  const args = ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'synchronous_commit=off', '-c', 'max_connections=200'];
  const server: ChildProcess = spawn(join(bin, 'postgres'), args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir, ...ids });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    server.stderr!.on('data', (b: Buffer) => {
      log += b.toString();
      if (/database system is ready to accept connections/.test(log)) resolve();
    });
    server.once('exit', (code) => reject(new Error(`postgres exited (${code}) before it was ready:\n${log}`)));
  });
  const env = { PGPASSWORD: password };
  const base = `postgres://keel@127.0.0.1:${port}`;
  const psql = (sql: string) => {
    const r = spawnSync(join(bin, 'psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', `${base}/postgres`, '-c', sql], { encoding: 'utf8', env: { ...process.env, ...env } });
    if (r.status !== 0) throw new Error(`psql ${sql}: ${r.stderr}`);
  };
  psql('CREATE DATABASE keel');
  return {
    url: `${base}/keel`,
    port,
    password,
    env,
    async database(name) {
      psql(`CREATE DATABASE "${name}"`);
      return `${base}/${name}`;
    },
    async stop() {
      if (server.exitCode === null) {
        const exited = new Promise((r) => server.once('exit', r));
        server.kill('SIGINT'); // fast shutdown
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
