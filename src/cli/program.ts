/**
 * keel's command line: every command, flag and help text (the entry point is main.ts). It wires
 * config, engine and report together; no logic of its own. Each
 * command's code (and the modules, yaml, ajv, ssh2 ...) loads only when that command runs, so
 * `keel --help` costs about a bare `node` (test/cli/lazy-load.test.ts proves what is loaded).
 */
import { Argument, Command, Option } from 'commander';
import { applyLogFlags, logOptions } from './log-flags.js';
import { percentage, serialValue, wholeNumber } from './flag-values.js';
import { DEFAULT_LOCK_TIMEOUT_SECONDS } from '../engine/remote-lock.js';
import { DEFAULT_DIFF_LINES } from '../report/change-lines.js';
import type { RunFlags } from './run-command.js';
import type { GraphFormat } from './graph-command.js';
import type { CommonFlags } from './load.js';
import { KEEL_VERSION } from '../version.js';
import { registerLabCommand } from './lab-command.js';
import { registerSecretCommand } from './secret-command.js';
import { registerDriftCommand } from './drift-command.js';
import { registerHistoryCommand } from './history-command.js';
import { registerServeCommand } from './serve-command.js';
import { registerWorkerCommand } from './worker-command.js';
import { queueOptions } from './queue-flags.js';

export function buildProgram(): Command {
  const program = new Command('keel')
    .description('Declarative configuration management over SSH: plan shows drift, converge fixes it.')
    .version(KEEL_VERSION)
    .showHelpAfterError();

  const common = (cmd: Command) =>
    logOptions(cmd)
      .option('-i, --inventory <file>', 'inventory file', 'inventory.yaml')
      .option('--var <k=v>', 'set a variable (highest precedence; repeatable)', collect, []);

  const runFlags = (cmd: Command) =>
    common(cmd)
      .option('-l, --limit <pattern>', 'hosts or groups to target: web1,db*,!db2,&prod')
      .option('-t, --tags <tags>', 'only resources with one of these tags (comma separated)')
      .option('-f, --forks <n>', 'hosts to run in parallel (at least 1)', wholeNumber('--forks', 1), 20)
      .option('--json', 'print the machine report (JSON) instead of text')
      .option('--diff-lines <n>', `lines of each diff to show, the rest counted in a note (0: all)`, wholeNumber('--diff-lines', 0), DEFAULT_DIFF_LINES)
      .option('--accept-new', 'record host keys of hosts not yet in known_hosts (a changed key is still refused)');

  runFlags(program.command('plan').description('show drift without changing anything (exit 0 in sync, 2 drift, 1 error)'))
    .option('-q, --quiet', 'no progress on standard error')
    .option('-o, --out <file>', 'also save the plan to this file (mode 0600, no secret in it): keel converge FILE applies exactly it')
    .action(async (flags: RunFlags) => (await import('./run-command.js')).runCommand('plan', flags));

  queueOptions(runFlags(program.command('converge').description('make hosts match their states (exit 0 ok, 1 failure); on a terminal it shows the plan and asks first')))
    .argument('[plan]', 'a plan saved by keel plan --out: apply exactly it, or nothing on a host that is no longer as planned')
    .option('-q, --quiet', 'no progress on standard error')
    .option('-y, --yes', 'do not show the plan and ask first (a converge that is not on a terminal, or --json, never asks)')
    .option('--detailed-exitcode', 'exit with a bitmask: 2 changed, 4 failed, 8 unreachable')
    .option('--lock-timeout <seconds>', `wait this long for another run's lock on a host, then fail that host (default ${DEFAULT_LOCK_TIMEOUT_SECONDS})`, wholeNumber('--lock-timeout', 0))
    .option('--serial <n|p%>', 'converge in rolling batches of this many hosts (or percent of them), one batch after another', serialValue)
    .option('--max-fail-percentage <p>', 'with --serial: stop before the next batch when more than p% of a batch failed', percentage('--max-fail-percentage'))
    .action(async (plan: string | undefined, flags: RunFlags, cmd: Command) =>
      (await import('./run-command.js')).runCommand('converge', flags, plan, explicitOptions(cmd)),
    );

  logOptions(program.command('show').description('print a plan saved by keel plan --out (changes nothing, contacts no host)'))
    .argument('<plan>', 'the plan file')
    .option('--json', 'print its report as keel plan --json does (docs/report.schema.json)')
    .option('--diff-lines <n>', `lines of each diff to show, the rest counted in a note (0: all)`, wholeNumber('--diff-lines', 0), DEFAULT_DIFF_LINES)
    .action(async (plan: string, flags: { json?: boolean; diffLines: number }) => (await import('./show-command.js')).showCommand(plan, flags));

  common(program.command('validate').description('check inventory and states without contacting any host'))
    .option('--json', 'print {"errors": [...], "hosts", "resources"} (docs/errors.schema.json) instead of text')
    .action(async (flags: CommonFlags) => (await import('./validate-command.js')).validateCommand(flags));

  common(program.command('graph').description('draw the dependency graph of the hosts (one document, a cluster per host)'))
    .option('-l, --limit <pattern>', 'hosts (or groups, patterns) to draw')
    .addOption(new Option('--format <format>', 'output format (svg and png are rendered by Graphviz\'s dot)').choices(['dot', 'mermaid', 'svg', 'png']).default('dot'))
    .option('-o, --out <file>', 'write it to this file instead of stdout')
    .option('--plan <file>', 'colour the nodes by a plan: a plan file (keel plan --out plan.keel) or a report (keel plan --json > report.json): in sync, will change, may change, failed')
    .action(async (flags: CommonFlags & { format: GraphFormat; out?: string; plan?: string }) => (await import('./graph-command.js')).graphCommand(flags));

  common(program.command('facts').description('print what keel knows about hosts, as states see it (facts.os.family ...); changes nothing'))
    .argument('[pattern]', 'hosts or groups, as --limit takes them (default: all)')
    .option('--json', 'print {"hosts": {NAME: facts}} instead of text')
    .option('-f, --forks <n>', 'hosts to ask at once (at least 1)', wholeNumber('--forks', 1), 20)
    .option('--accept-new', 'record host keys of hosts not yet in known_hosts (a changed key is still refused)')
    .action(async (pattern: string | undefined, flags: CommonFlags & { json?: boolean; forks: number; acceptNew?: boolean }) => (await import('./facts-command.js')).factsCommand(pattern, flags));

  logOptions(program.command('init'))
    .description('write a project to start from: an inventory for a keel lab host, a state, a template and a bundle')
    .argument('[dir]', 'folder to write it in (made if missing; no file in it is overwritten)', '.')
    .action(async (dir: string) => (await import('./init-command.js')).initCommand(dir));

  program
    .command('completion')
    .description('print a shell completion script: eval "$(keel completion bash)" in ~/.bashrc (zsh: ~/.zshrc)')
    .addArgument(new Argument('[shell]', 'bash or zsh').choices(['bash', 'zsh']))
    .option('-i, --inventory <file>', 'with --names: the inventory', 'inventory.yaml')
    .option('--names', "print the inventory's host and group names, one per line (what the script completes -l with)")
    .action(async (shell: 'bash' | 'zsh' | undefined, flags: { inventory: string; names?: boolean }) => {
      const c = await import('./completion-command.js');
      if (flags.names) c.printNames(flags.inventory);
      else c.printScript(program, shell ?? 'bash');
    });

  registerDriftCommand(program, runFlags);
  registerHistoryCommand(program, logOptions);
  registerServeCommand(program, logOptions);
  registerWorkerCommand(program, logOptions);
  registerLabCommand(program, logOptions);
  registerSecretCommand(program, logOptions);
  program.hook('preAction', (_program, command) => applyLogFlags(command));
  return program;
}

/** The options given on the command line itself (not defaults). */
function explicitOptions(cmd: Command): string[] {
  return cmd.options.map((o) => o.attributeName()).filter((name) => cmd.getOptionValueSource(name) === 'cli');
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
