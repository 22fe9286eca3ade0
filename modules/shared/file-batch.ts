/**
 * The shared file probe: every path of a host that file, directory, template, systemd_unit and
 * line probe, in ONE snippet. Types come from the shell's own tests, metadata from one `stat`
 * over all existing paths (one more `stat -L` over symbolic links with a target), hashes from one
 * `sha256sum` over the readable regular files, capabilities from one `getcap`; contents
 * (base64) travel only for files whose hash differs from the wanted one. Each path's record is
 * what the single-path probe printed (`type=`, `meta=`, ...), NUL-terminated, so parseFileProbe
 * reads it unchanged. stat's and sha256sum's lines are matched by position: the first pass records
 * per path which lists it joined (k_f_q<i>), and the second pass takes a line from exactly those
 * lists, never testing the live path again, so a path that changed in between keeps its own line
 * and cannot shift the others'. A tool that printed fewer lines than it was given paths (a path
 * removed before the tool read it) makes the snippet ask again path by path for that list.
 * getcap prints only files with capabilities, so its lines are matched by name: "path caps"
 * (libcap >= 2.3x) or "path = caps" (older); a path with a newline, which would span two lines,
 * gets its own getcap.
 */
import type { ProbeConcern, ProbeOutput, SharedProbe } from '../../src/module.js';
import { shq } from '../../src/shell.js';

export interface FileRequest {
  path: string;
  /** Describe a symbolic link's target (its type and metadata). */
  follow: boolean;
  /** Size, links, capabilities and sha256 of a regular file. */
  hash: boolean;
  /** Print the contents when their sha256 differs from this ('' never matches); unset: never. */
  want?: string;
  /** Largest contents printed. */
  max: number;
  /** For directories: whether they have entries. */
  checkEmpty: boolean;
}

const BODY = `k_f_fmt='%a %u %g %U %G %s %h'
k_f_ref() { eval "k_f_$1=\\"\\$k_f_$1 \\\\\\"\\\\\\$k_f_p$k_f_i\\\\\\"\\"; k_f_n$1=\\$((k_f_n$1 + 1))"; }
k_f_load() {
  k_f_j=0
  while IFS= read -r k_f_l; do eval "k_f_$1$k_f_j=\\$k_f_l"; k_f_j=$((k_f_j + 1)); done <"$k_t/f-$1"
  eval "[ \\$k_f_j = \\$k_f_n$1 ] && k_f_ok$1=1 || k_f_ok$1="
}
k_f_next() { eval "k_f_k=\\$k_f_j$1; k_f_j$1=\\$((k_f_k + 1))"; eval "k_f_l=\\$k_f_$1$k_f_k"; }
k_f_nl='
'
k_f_i=0 k_f_a= k_f_b= k_f_h= k_f_c= k_f_na=0 k_f_nb=0 k_f_nh=0 k_f_nc=0
while [ $k_f_i -lt $k_f_n ]; do
  eval "k_f_p=\\$k_f_p$k_f_i k_f_o=\\$k_f_o$k_f_i"
  case $k_f_o in
  *L*) if [ -d "$k_f_p" ]; then k_f_y=dir; elif [ -f "$k_f_p" ]; then k_f_y=file; elif [ -L "$k_f_p" ]; then k_f_y=link; elif [ -e "$k_f_p" ]; then k_f_y=other; else k_f_y=absent; fi ;;
  *) if [ -L "$k_f_p" ]; then k_f_y=link; elif [ -d "$k_f_p" ]; then k_f_y=dir; elif [ -f "$k_f_p" ]; then k_f_y=file; elif [ -e "$k_f_p" ]; then k_f_y=other; else k_f_y=absent; fi ;;
  esac
  k_f_q=
  if [ $k_f_y != absent ]; then
    k_f_ref a
    if [ -L "$k_f_p" ]; then k_f_q=l; if [ -e "$k_f_p" ]; then k_f_ref b; k_f_q=lb; fi; fi
    case $k_f_o in *H*) if [ -f "$k_f_p" ]; then
      case $k_f_p in *"$k_f_nl"*) k_f_q="\${k_f_q}fg" ;; *) k_f_ref c; k_f_q="\${k_f_q}fc" ;; esac
      if [ -r "$k_f_p" ]; then k_f_ref h; k_f_q="\${k_f_q}h"; fi
    fi ;; esac
  fi
  eval "k_f_y$k_f_i=\\$k_f_y k_f_q$k_f_i=\\$k_f_q"
  k_f_i=$((k_f_i + 1))
done
: >"$k_t/f-a"; : >"$k_t/f-b"; : >"$k_t/f-h"; : >"$k_t/f-c"
if [ $k_f_na -gt 0 ]; then eval "stat -c \\"\\$k_f_fmt\\" -- $k_f_a" >"$k_t/f-a" 2>/dev/null; fi
if [ $k_f_nb -gt 0 ]; then eval "stat -L -c \\"\\$k_f_fmt\\" -- $k_f_b" >"$k_t/f-b" 2>/dev/null; fi
if [ $k_f_nh -gt 0 ]; then eval "sha256sum -- $k_f_h" >"$k_t/f-h" 2>/dev/null; fi
if [ $k_f_nc -gt 0 ] && command -v getcap >/dev/null 2>&1; then eval "getcap -- $k_f_c" >"$k_t/f-c" 2>/dev/null; fi
k_f_load a; k_f_load b; k_f_load h; k_f_load c; k_f_nc=$k_f_j
k_f_i=0 k_f_ja=0 k_f_jb=0 k_f_jh=0
while [ $k_f_i -lt $k_f_n ]; do
  eval "k_f_p=\\$k_f_p$k_f_i k_f_o=\\$k_f_o$k_f_i k_f_y=\\$k_f_y$k_f_i k_f_q=\\$k_f_q$k_f_i"
  echo "type=$k_f_y"
  if [ $k_f_y != absent ]; then
    if [ -n "$k_f_oka" ]; then k_f_next a; else k_f_l=$(stat -c "$k_f_fmt" -- "$k_f_p" 2>/dev/null); fi
    k_f_s=$k_f_l
    case $k_f_q in l*)
      echo link=1
      printf 'target=%s\\n' "$(readlink -- "$k_f_p" | base64 -w0)"
      k_f_l=
      case $k_f_q in *b*)
        if [ -n "$k_f_okb" ]; then k_f_next b; else k_f_l=$(stat -L -c "$k_f_fmt" -- "$k_f_p" 2>/dev/null); fi
      ;; esac
      case $k_f_o in *L*) k_f_s=$k_f_l ;; esac
    ;; esac
    printf 'meta=%s\\n' "\${k_f_s% * *}"
    case $k_f_q in *f*)
      k_f_z=\${k_f_l% *}; k_f_z=\${k_f_z##* }
      printf 'size=%s\\nlinks=%s\\n' "$k_f_z" "\${k_f_l##* }"
      k_f_j=0 k_f_k=
      case $k_f_q in *c*) while [ $k_f_j -lt $k_f_nc ]; do
        eval "k_f_l=\\$k_f_c$k_f_j"
        k_f_j=$((k_f_j + 1))
        if [ "\${k_f_l% *}" = "$k_f_p" ] || [ "\${k_f_l% = *}" = "$k_f_p" ]; then k_f_k=$k_f_l; break; fi
      done ;; *g*) k_f_k=$(getcap -- "$k_f_p" 2>/dev/null) || k_f_k= ;; esac
      if [ -n "$k_f_k" ]; then printf 'caps=%s\\n' "$(printf '%s' "\${k_f_k##* }" | base64 -w0)"; fi
      k_f_l=
      case $k_f_q in *h*)
        if [ -n "$k_f_okh" ]; then k_f_next h; else k_f_l=$(sha256sum <"$k_f_p" 2>/dev/null) || k_f_l=; fi
      ;; esac
      k_f_l=\${k_f_l%% *}; k_f_l=\${k_f_l#\\\\}
      if [ -n "$k_f_l" ]; then echo "sha256=$k_f_l"; else echo readable=0; fi
      case $k_f_o in *C*)
        eval "k_f_w=\\$k_f_w$k_f_i k_f_x=\\$k_f_x$k_f_i"
        if [ -n "$k_f_l" ] && [ "$k_f_l" != "$k_f_w" ] && [ -n "$k_f_z" ] && [ "$k_f_z" -le $k_f_x ]; then
          printf 'content='; base64 -w0 <"$k_f_p"; echo
        fi ;;
      esac
    ;; esac
    case $k_f_o in *E*) if [ -d "$k_f_p" ]; then
      if [ ! -r "$k_f_p" ]; then echo readable=0
      elif [ ! -x "$k_f_p" ]; then
        if ! ls -A "$k_f_p" >/dev/null 2>&1; then echo readable=0
        elif [ -z "$(ls -A "$k_f_p" | head -n 1)" ]; then echo empty=1; else echo empty=0; fi
      else
        k_f_e=1
        for k_f_l in "$k_f_p"/* "$k_f_p"/.[!.]* "$k_f_p"/..?*; do
          if [ -e "$k_f_l" ] || [ -L "$k_f_l" ]; then k_f_e=0; break; fi
        done
        echo "empty=$k_f_e"
      fi
    fi ;; esac
  fi
  printf '\\000'
  k_f_i=$((k_f_i + 1))
done
`;

function flags(r: FileRequest): string {
  return `${r.follow ? 'L' : ''}${r.hash ? 'H' : ''}${r.hash && r.want !== undefined ? 'C' : ''}${r.checkEmpty ? 'E' : ''}-`;
}

export function fileBatchScript(requests: FileRequest[]): string {
  const data = requests.map((r, i) => {
    const w = r.want !== undefined ? ` k_f_w${i}=${shq(r.want)} k_f_x${i}=${r.max}` : '';
    return `k_f_p${i}=${shq(r.path)} k_f_o${i}=${flags(r)}${w}`;
  });
  return [`k_f_n=${requests.length}`, ...data, BODY].join('\n');
}

/** Pure: one output per request, each as if the path had been probed alone. */
export function splitFileBatch(out: ProbeOutput, requests: FileRequest[]): ProbeOutput[] {
  const records: Buffer[] = [];
  let at = 0;
  for (let nul = out.stdout.indexOf(0); nul >= 0 && records.length < requests.length; nul = out.stdout.indexOf(0, at)) {
    records.push(out.stdout.subarray(at, nul));
    at = nul + 1;
  }
  return requests.map((_, i) => {
    const rec = records[i];
    if (rec) return { code: 0, stdout: rec, stderr: Buffer.alloc(0), text: rec.toString('utf8') };
    // The snippet stopped before this path: its parse reports the exit code and stderr.
    return { code: out.code || 1, stdout: Buffer.alloc(0), stderr: out.stderr, text: '' };
  });
}

export const fileConcern: ProbeConcern<FileRequest> = { key: 'file', script: fileBatchScript, split: splitFileBatch };

export const fileProbeRequest = (request: FileRequest): SharedProbe<FileRequest> => ({ concern: fileConcern, request });
