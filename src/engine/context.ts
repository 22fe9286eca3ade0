/** The ApplyContext a module's apply/refresh gets: commands go through the host's transport only. */
import type { Logger } from 'pino';
import { CommandError } from '../errors.js';
import type { ApplyContext } from '../module.js';
import type { HostFacts } from '../facts/types.js';
import type { Transport } from '../transport/types.js';
import { redactSecrets } from './host-report.js';

export function makeApplyContext(
  transport: Transport,
  facts: HostFacts,
  sudo: boolean,
  log: Logger,
  onceKeys: Map<string, Promise<void>>,
  resource: string,
  secrets: readonly string[] = [],
): ApplyContext {
  return {
    host: transport.host,
    transport,
    facts,
    log: log.child({ resource }),
    sudo,
    async run(script, opts = {}) {
      log.debug({ resource, script: redactSecrets(script, secrets) }, 'run');
      // Without stdin of its own, the script travels on stdin: not in argv (`ps`, sudo's log).
      const res =
        opts.stdin === undefined
          ? // one compound command: sh reads all of it before running it, and its commands get /dev/null
            await transport.exec('sh -s', { sudo, stdin: `{\n${script}\n} </dev/null\n`, timeoutMs: opts.timeoutMs })
          : await transport.exec(script, { sudo, stdin: opts.stdin, timeoutMs: opts.timeoutMs });
      if (res.code !== 0) {
        const output = redactSecrets(res.stderr.toString() || res.stdout.toString(), secrets);
        throw new CommandError(redactSecrets(script, secrets), res.code, output, { host: transport.host, resource });
      }
      return res.stdout.toString();
    },
    once(key, fn) {
      let p = onceKeys.get(key);
      if (!p) {
        p = fn();
        onceKeys.set(key, p);
      }
      return p;
    },
  };
}
