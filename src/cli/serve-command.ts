/** keel serve: the read-only drift dashboard (docs/cli.md#keel-serve). */
import type { Command } from 'commander';

// loopback by default: the pages show diffs of files that may be root's alone
const DEFAULT_LISTEN = '127.0.0.1:8080';
const DEFAULT_TOKEN_ENV = 'KEEL_SERVE_TOKEN';

export interface ServeFlags {
  inventory: string;
  stateDir?: string;
  history?: string;
  listen: string;
  tokenEnv: string;
}

export function registerServeCommand(program: Command, logOptions: (cmd: Command) => Command): void {
  logOptions(program.command('serve'))
    .description('serve a read-only web dashboard of the drift history: hosts, open drift with diffs, a host\'s history, /metrics')
    .option('--listen <host:port>', 'address to listen on (any but loopback needs a token)', DEFAULT_LISTEN)
    .option('--token-env <name>', 'environment variable holding the bearer token every page but /healthz then wants', DEFAULT_TOKEN_ENV)
    .option('-i, --inventory <file>', 'inventory file (finds the state dir and drift.history)', 'inventory.yaml')
    .option('--state-dir <dir>', 'state dir holding history.db (default: the inventory\'s)')
    .option('--history <url|file>', 'read this history: postgres://USER@HOST/DB (password from PGPASSWORD or ~/.pgpass) or a file (default: drift.history, else <state dir>/history.db)')
    .action(async (flags: ServeFlags, cmd: Command) => (await import('./serve-action.js')).serveCommand(flags, cmd.getOptionValueSource('tokenEnv') === 'cli'));
}
