/** The ApplyContext a module's apply/refresh gets: commands go through the host's transport only. */
import type { Logger } from 'pino';
import { CommandError } from '../errors.js';
import type { ApplyContext } from '../module.js';
import type { Facts } from '../facts/types.js';
import type { Transport } from '../transport/types.js';
import { redactSecrets } from './host-report.js';

export function makeApplyContext(
  transport: Transport,
  facts: Facts,
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
      const res = await transport.exec(script, { sudo, stdin: opts.stdin, timeoutMs: opts.timeoutMs });
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
