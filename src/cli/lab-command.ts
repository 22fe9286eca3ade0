/** keel lab up N | down | status: throwaway real Debian hosts on this machine (Linux, root). */
import type { Command } from 'commander';
// the lab's code loads only when `keel lab` runs
const loadLab = () => import('../../lab/index.js');

interface LabFlags {
  name?: string;
  dir?: string;
  subnet?: string;
  cacheDir?: string;
}

interface UpFlags extends LabFlags {
  concurrency?: string;
  readyTimeout?: string;
}

const labOptions = (cmd: Command) =>
  cmd
    .option('--name <name>', 'lab name: hosts <name>1.., own bridge, netns, veths and subnet (labs of other names run beside it)', 'lab')
    .option('--dir <dir>', 'lab state directory (keys, inventories) (default: .keel/<name>)')
    .option('--subnet <cidr>', "private /24 owned by the lab (default: 10.199.0.0/24 for 'lab', 10.198.X.0/24 from the name for others)")
    .option('--cache-dir <dir>', 'image and apt cache', '/var/cache/keel-lab');

const progress = (m: string) => process.stderr.write(`lab: ${m}\n`);

function whole(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`lab up: ${flag} must be a whole number >= 1, got '${value}'`);
  return n;
}

export function registerLabCommand(program: Command, logOptions: (cmd: Command) => Command): void {
  const lab = program.command('lab').description('throwaway Debian 12 hosts on this machine (needs Linux and root)');
  labOptions(logOptions(lab.command('up').argument('<n>', 'number of hosts').description('boot N hosts and write an inventory for them')))
    .option('--concurrency <n>', 'hosts booting at once (default: 4 per CPU, at least 4)')
    .option('--ready-timeout <s>', 'seconds a host may take from its boot to ready (default: 120)')
    .action(async (n: string, flags: UpFlags) => {
      const { labUp, requireLabSupport } = await loadLab();
      requireLabSupport();
      const count = parseInt(n, 10);
      if (!Number.isInteger(count) || count < 1 || count > 200) throw new Error(`lab up: N must be a number from 1 to 200, got '${n}'`);
      const { concurrency, readyTimeout, ...lab } = flags;
      const bootConcurrency = whole('--concurrency', concurrency);
      const readyTimeoutS = whole('--ready-timeout', readyTimeout);
      const t0 = Date.now();
      const info = await labUp(count, {
        ...lab,
        ...(bootConcurrency !== undefined ? { bootConcurrency } : {}),
        ...(readyTimeoutS !== undefined ? { readyTimeoutS } : {}),
        log: progress,
      });
      for (const h of info.hosts) {
        const note = h.booted ? `booted in ${((h.readyMs ?? 0) / 1000).toFixed(1)}s` : 'already up';
        process.stdout.write(`${h.name}\t${h.address}\t${h.systemState ?? ''}\t${note}\n`);
      }
      process.stdout.write(`${info.hosts.length} host(s) ready in ${((Date.now() - t0) / 1000).toFixed(1)}s\n`);
      process.stdout.write(`inventory: ${info.inventory} (Ansible: ${info.hostsIni})\n`);
    });
  labOptions(logOptions(lab.command('down').description("remove the lab's hosts, network and processes (labs of other names stay up)")))
    .action(async (flags: LabFlags) => {
      const { labDown, requireLabSupport } = await loadLab();
      requireLabSupport();
      await labDown({ ...flags, log: progress });
      process.stdout.write('lab: down\n');
    });
  labOptions(logOptions(lab.command('status').description('list lab hosts and whether they are alive')))
    .action(async (flags: LabFlags) => {
      const hosts = await (await loadLab()).labStatus(flags);
      if (!hosts.length) process.stdout.write('lab: no hosts\n');
      for (const h of hosts) process.stdout.write(`${h.name}\t${h.address}\t${h.alive ? 'up' : 'DOWN'}\n`);
    });
}
