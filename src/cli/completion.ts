/**
 * `keel completion bash|zsh`: a completion script built from the command line's own definition
 * (every command, subcommand and flag, so it cannot fall behind), completing host and group names
 * after `-l`/`--limit` (and for `keel facts`) from the inventory at hand by asking
 * `keel completion --names` when Tab is pressed, and file names after flags that take files.
 * zsh runs the bash function through bashcompinit.
 */
import type { Command } from 'commander';

interface Entry {
  path: string; // "plan", "lab up"
  flags: string[];
}

function entries(cmd: Command, prefix = ''): Entry[] {
  return cmd.commands.flatMap((c) => {
    const path = `${prefix}${c.name()}`;
    const flags = c.options.flatMap((o) => [o.short, o.long].filter((f): f is string => !!f));
    return [{ path, flags: [...flags, '--help'] }, ...entries(c, `${path} `)];
  });
}

const FILE_FLAGS = ['-i', '--inventory', '--log-file', '-o', '--out', '--plan', '--state-dir', '--metrics-file', '--dir', '--cache-dir', '--unit-dir'];
const NAME_FLAGS = ['-l', '--limit'];

export function completionScript(program: Command, shell: 'bash' | 'zsh'): string {
  const all = entries(program).filter((e) => e.path !== 'completion');
  const top = all.filter((e) => !e.path.includes(' ')).map((e) => e.path);
  const cases = all
    .map((e) => `    ${JSON.stringify(e.path)}) opts=${JSON.stringify(e.flags.join(' '))}; subs=${JSON.stringify(all.filter((x) => x.path.startsWith(`${e.path} `) && !x.path.slice(e.path.length + 1).includes(' ')).map((x) => x.path.split(' ').pop()).join(' '))} ;;`)
    .join('\n');
  const body = `# keel completion (${shell}): eval "$(keel completion ${shell})" in your ~/.${shell}rc
_keel() {
  local cur prev kpath opts subs i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    ${FILE_FLAGS.join('|')}) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    ${NAME_FLAGS.join('|')}) _keel_complete_names; return ;;
  esac
  # the command path so far: the words that name a command, then a subcommand of it (flags,
  # their values and arguments are none of those)
  kpath=""
  subs=${JSON.stringify(top.join(' '))}
  for ((i = 1; i < COMP_CWORD; i++)); do
    case " $subs " in *" \${COMP_WORDS[i]} "*) kpath="\${kpath:+$kpath }\${COMP_WORDS[i]}"; _keel_at "$kpath" ;; esac
  done
  if [ -z "$kpath" ]; then COMPREPLY=($(compgen -W ${JSON.stringify(`${top.join(' ')} --help --version`)} -- "$cur")); return; fi
  _keel_at "$kpath"
  case "$cur" in
    -*) COMPREPLY=($(compgen -W "$opts" -- "$cur")) ;;
    *) if [ -n "$subs" ]; then COMPREPLY=($(compgen -W "$subs" -- "$cur"));
       elif [ "$kpath" = facts ]; then _keel_complete_names;
       else COMPREPLY=($(compgen -W "$opts" -- "$cur")); fi ;;
  esac
}
# the flags and subcommands of a command path
_keel_at() {
  opts="" subs=""
  case "$1" in
${cases}
  esac
}
# the names that start with the word being completed; matched here, never through compgen -W,
# which would expand $(...) in a name
_keel_complete_names() {
  local n
  COMPREPLY=()
  while IFS= read -r n; do
    case "$n" in "$cur"*) COMPREPLY+=("$n") ;; esac
  done < <(_keel_names)
}
# host and group names of the inventory given with -i (default inventory.yaml)
_keel_names() {
  local inv=inventory.yaml i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in -i|--inventory) inv="\${COMP_WORDS[i+1]}" ;; esac
  done
  keel completion --names -i "$inv" 2>/dev/null
}
`;
  const hook = shell === 'zsh' ? 'autoload -U +X bashcompinit && bashcompinit\ncomplete -o default -F _keel keel\n' : 'complete -o default -F _keel keel\n';
  return body + hook;
}
