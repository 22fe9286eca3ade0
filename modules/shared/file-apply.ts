/** Carrying out FileSteps on a host: an atomic put, chmod/chown, or rm. */
import type { ApplyContext } from '../../src/module.js';
import { shargs, shq } from '../../src/shell.js';
import type { FileSteps } from './file-plan.js';

/** `chmod`/`chown`/`chgrp` commands for the attributes given, joined with `&&`; "" for none. */
export function attrsScript(path: string, a: { mode?: string; owner?: string; group?: string }): string {
  const cmds: string[] = [];
  // owner first: chown clears setuid/setgid bits, so chmod must come after it
  if (a.owner !== undefined) cmds.push(shargs('chown', a.group !== undefined ? `${a.owner}:${a.group}` : a.owner, '--', path));
  else if (a.group !== undefined) cmds.push(shargs('chgrp', a.group, '--', path));
  if (a.mode !== undefined) cmds.push(shargs('chmod', a.mode, '--', path));
  return cmds.join(' && ');
}

/** "20240131T120501Z": sortable, no characters that need quoting. */
function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
}

export async function applyFileSteps(ctx: ApplyContext, steps: FileSteps): Promise<void> {
  switch (steps.op) {
    case 'put': {
      if (steps.backup) {
        // mktemp's random tail keeps every backup: two in one second must not overwrite each other
        const template = `${steps.path}.keel-bak-${stamp(new Date())}.XXXXXX`;
        await ctx.run(`if [ -f ${shq(steps.path)} ]; then b=$(mktemp -- ${shq(template)}) && cp -p -- ${shq(steps.path)} "$b"; fi`);
      }
      await ctx.transport.put(steps.path, steps.content, {
        mode: steps.mode,
        owner: steps.owner,
        group: steps.group,
        sudo: ctx.sudo,
      });
      return;
    }
    case 'attrs': {
      const script = attrsScript(steps.path, steps);
      if (script) await ctx.run(script);
      return;
    }
    case 'remove':
      await ctx.run(shargs('rm', '-f', '--', steps.path));
      return;
  }
}
