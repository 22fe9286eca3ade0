/** Fault injection on lab hosts: cut a run's SSH connection from the host side, at a chosen moment. */
import type { LabTestHost } from '../lab/global-setup.js';
import { labHosts } from '../lab/lab-env.js';
import { onHost } from '../lab-ssh/lab-inventory.js';

/** lab9 and lab10 belong to the lock and fault tests: holding their lock or rebooting them delays no one. */
export function faultHost(name: 'lab9' | 'lab10'): LabTestHost {
  const h = labHosts().find((x) => x.name === name);
  if (!h) throw new Error(`the lock and fault tests need ${name}: boot 10 lab hosts (KEEL_LAB_HOSTS=10)`);
  return h;
}

/**
 * Shell functions for the host: `cut PID` SIGKILLs the sshd session processes above PID (not the
 * listener), which drops that connection as a crashed network or sshd would; `parent PID`.
 */
export const CUT = `
parent() { awk '/^PPid:/ {print $2}' /proc/$1/status; }
cut() {
  p=$1
  while [ "$p" -gt 1 ]; do
    pp=$(parent $p)
    if [ "$(cat /proc/$p/comm)" = sshd ] && [ "$pp" != 1 ]; then kill -KILL $p; fi
    p=$pp
  done
}
`;

/**
 * Wait (on the host) until a put's temp file beside `dir`'s files holds more than `mib` MiB, then
 * run `action` with $t (the temp file), $w (the writer) and $s (the put script's shell) set, and
 * wait until that put script has exited: its cleanup has run. Prints $t.
 */
export function duringPut(h: LabTestHost, dir: string, mib: number, action: string): Promise<string> {
  return onHost(
    h,
    `${CUT}
until t=$(find ${dir} -maxdepth 1 -name '.keel-*' -size +${mib}M | head -n 1); [ -n "$t" ]; do :; done
w=$(for p in /proc/[0-9]*; do [ "$(readlink $p/fd/1 2>/dev/null)" = "$t" ] && echo \${p#/proc/}; done | head -n 1)
s=$(parent $w)
${action}
while kill -0 $s 2>/dev/null; do sleep 0.05; done
echo "$t"`,
  );
}
