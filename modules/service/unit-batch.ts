/**
 * The shared unit probe: every unit of a host that service and systemd_unit ask about, in ONE
 * `systemctl show` (blocks in argument order, split by the shell), then `systemctl is-enabled`
 * per service on its real Id (only is-enabled knows SysV scripts, static and generated units,
 * and SysV-backed units print progress lines first, so its lines cannot be told apart in one
 * call). Each request's record is what its own probe printed (unitProbe: the show lines and
 * `IsEnabled=`; reload: `needreload=`), NUL-terminated; a failed show is retried unit by unit.
 */
import type { ProbeConcern, ProbeOutput, SharedProbe } from '../../src/module.js';
import { shq } from '../../src/shell.js';
import { SHOW_PROPERTIES } from './probe.js';

export interface UnitRequest {
  unit: string;
  /** full: what service plans from; reload: only NeedDaemonReload, for systemd_unit. */
  mode: 'full' | 'reload';
}

const BODY = `k_s_nl='
'
k_s_have= k_s_bad= k_s_rc=0
k_s_all() {
  k_s_have=1
  k_s_show "$@" >"$k_t/s-show" 2>"$k_t/s-err" || k_s_rc=$?
  k_s_i=0 k_s_b0= k_s_id0=
  while IFS= read -r k_s_l; do
    if [ -z "$k_s_l" ]; then
      k_s_i=$((k_s_i + 1)); eval "k_s_b$k_s_i= k_s_id$k_s_i="
    else
      eval "k_s_b$k_s_i=\\$k_s_b$k_s_i\\$k_s_l\\$k_s_nl"
      case $k_s_l in Id=*) eval "k_s_id$k_s_i=\\\${k_s_l#Id=}" ;; esac
    fi
  done <"$k_t/s-show"
  if [ $k_s_rc != 0 ] || [ $((k_s_i + 1)) != $# ]; then k_s_bad=1; fi
}
# $1 index, $2 unit, $3 full|reload
k_s_one() {
  if [ -z "$k_s_have" ]; then
    if [ $3 = full ]; then echo systemctl=missing; elif [ -d /run/systemd/system ]; then echo needreload=; fi
    printf '\\000'; return
  fi
  k_s_r=0
  if [ -n "$k_s_bad" ]; then
    k_s_show "$2" >"$k_t/s-one" 2>"$k_t/s-err" || k_s_r=3
    k_s_b= k_s_id=
    while IFS= read -r k_s_l; do
      k_s_b=$k_s_b$k_s_l$k_s_nl
      case $k_s_l in Id=*) k_s_id=\${k_s_l#Id=} ;; esac
    done <"$k_t/s-one"
  else
    eval "k_s_b=\\$k_s_b$1 k_s_id=\\$k_s_id$1"
  fi
  if [ $3 = reload ]; then
    if [ -d /run/systemd/system ]; then
      k_s_v=
      case $k_s_nl$k_s_b in *"\${k_s_nl}NeedDaemonReload="*) k_s_v=\${k_s_b#*NeedDaemonReload=}; k_s_v=\${k_s_v%%"$k_s_nl"*} ;; esac
      echo "needreload=$k_s_v"
    fi
  elif [ $k_s_r != 0 ]; then
    printf 'k_s_rc=%s\\n' $k_s_r
    base64 -w0 <"$k_t/s-err"; echo
  else
    printf '%s' "$k_s_b"
    LC_ALL=C systemctl is-enabled -- "\${k_s_id:-$2}" >"$k_t/s-en" 2>/dev/null
    k_s_e=
    while IFS= read -r k_s_l; do k_s_e=$k_s_l; done <"$k_t/s-en"
    printf 'IsEnabled=%s\\n' "$k_s_e"
  fi
  printf '\\000'
}
`;

function script(requests: UnitRequest[]): string {
  const props = SHOW_PROPERTIES;
  const units = [...new Set(requests.map((r) => r.unit))];
  return [
    `k_s_show() { LC_ALL=C systemctl show --no-pager ${props.map((p) => `-p ${p}`).join(' ')} -- "$@"; }`,
    BODY,
    `if command -v systemctl >/dev/null 2>&1; then k_s_all ${units.map(shq).join(' ')}; fi`,
    ...requests.map((r) => `k_s_one ${units.indexOf(r.unit)} ${shq(r.unit)} ${r.mode}`),
  ].join('\n');
}

function split(out: ProbeOutput, requests: UnitRequest[]): ProbeOutput[] {
  const records = out.stdout.toString('utf8').split('\0');
  return requests.map((_, i) => {
    if (i >= records.length - 1) return { code: out.code || 1, stdout: Buffer.alloc(0), stderr: out.stderr, text: '' };
    const failed = /^k_s_rc=(\d+)\n(.*)\n$/.exec(records[i]);
    if (failed) return { code: Number(failed[1]), stdout: Buffer.alloc(0), stderr: Buffer.from(failed[2], 'base64'), text: '' };
    return { code: 0, stdout: Buffer.from(records[i]), stderr: Buffer.alloc(0), text: records[i] };
  });
}

export const unitConcern: ProbeConcern<UnitRequest> = { key: 'unit', script, split };

/** A unit's part of the host's one unit probe. */
export const unitProbe = (unit: string, mode: UnitRequest['mode']): SharedProbe<UnitRequest> => ({ concern: unitConcern, request: { unit, mode } });
