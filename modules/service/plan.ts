/** Pure planning of a service: masked, enabled, running, and the systemctl ops that get there. */
import { KeelError } from '../../src/errors.js';
import type { HostFacts } from '../../src/facts/types.js';
import type { Change, Plan } from '../../src/module.js';
import type { UnitOp } from './commands.js';
import { isMasked, isRunning, type UnitState } from './probe.js';

export interface ServiceWant {
  unit: string;
  running?: boolean;
  enabled?: boolean;
  masked?: boolean;
}

export interface ServiceSteps {
  /** The unit's real name (an alias resolved): enable refuses aliases. */
  unit: string;
  ops: UnitOp[];
  /** For the error of a start that does not stick: oneshot units are never "running". */
  oneshot: boolean;
}

/** is-enabled states that `systemctl enable` cannot turn on: no [Install] section, or Also= only. */
const CANNOT_ENABLE = new Set(['static', 'indirect']);
/** is-enabled states that `systemctl disable` cannot turn off: made by a generator or at runtime. */
const CANNOT_DISABLE = new Set(['generated', 'transient']);

/** Is the unit persistently enabled? `enabled-runtime` is not: it is gone after a reboot. */
function isEnabled(s: UnitState): boolean {
  return s.enablement === 'enabled' || CANNOT_DISABLE.has(s.enablement);
}

/**
 * `unitMayChange`: a unit file this service requires is planned to change in this run; then the
 * enablement seen now may not be the one seen at apply time, and errors about it wait for then.
 */
export function planService(want: ServiceWant, cur: UnitState, facts: HostFacts, unitMayChange: boolean): Plan<ServiceSteps> {
  const name = want.unit;
  if (facts.init !== 'systemd') {
    throw new KeelError('E_UNSUPPORTED', `service ${name}: service needs systemd on the host; init is ${facts.init}`, {
      hint: 'manage this host with command resources, or exclude it with -l',
    });
  }
  if (!cur.available) throw new KeelError('E_UNSUPPORTED', `service ${name}: systemctl was not found on the host`);
  const changes: Change[] = [];
  const ops: UnitOp[] = [];
  const masked = isMasked(cur);
  const missing = cur.loadState === 'not-found';

  if (want.masked === false && masked) {
    changes.push({ field: 'masked', from: true, to: false });
    ops.push(cur.enablement === 'masked-runtime' ? 'unmask-runtime' : 'unmask');
  }
  const willBeMasked = want.masked ?? masked;
  if (masked && want.masked === undefined && (want.running === true || want.enabled === true)) {
    throw new KeelError('E_SERVICE', `service ${name} is masked: it cannot be ${want.running ? 'started' : 'enabled'}`, {
      hint: 'set masked: false to unmask it',
    });
  }
  if (want.enabled !== undefined && !willBeMasked) {
    if (masked) {
      // Behind a mask is-enabled shows only "masked": whatever was enabled before is unknown.
      changes.push({ field: 'enabled', from: null, to: want.enabled });
      ops.push(want.enabled ? 'enable' : 'disable');
    } else if (want.enabled !== isEnabled(cur)) {
      const fixed = want.enabled ? CANNOT_ENABLE.has(cur.enablement) : CANNOT_DISABLE.has(cur.enablement);
      if (fixed && !unitMayChange) throw fixedEnablement(name, cur.enablement, want.enabled);
      if (cur.enablement === 'bad' && !unitMayChange) {
        throw new KeelError('E_SERVICE', `service ${name}: its unit file is invalid (is-enabled: bad)`, {
          hint: `check it with: systemd-analyze verify ${cur.id}`,
        });
      }
      changes.push({ field: 'enabled', from: isEnabled(cur), to: want.enabled });
      ops.push(want.enabled ? 'enable' : 'disable');
    }
  }
  if (want.running !== undefined && want.running !== isRunning(cur)) {
    changes.push({ field: 'running', from: isRunning(cur), to: want.running });
    ops.push(want.running ? 'start' : 'stop');
  }
  if (want.masked === true && !masked) {
    changes.push({ field: 'masked', from: false, to: true });
    ops.push('mask');
  }
  if (ops.length === 0) return { action: 'none', changes: [] };
  // A unit file changed behind systemd's back: load it before acting on the unit.
  if (cur.needDaemonReload && ops.some((o) => o === 'start' || o === 'enable')) ops.unshift('daemon-reload');
  const unit = missing || masked ? name : cur.id;
  return {
    action: 'update',
    changes,
    steps: { unit, ops, oneshot: cur.type === 'oneshot' && !cur.remainAfterExit },
    // a unit no resource of the run writes comes with something else (a package), which may start and enable it too
    ...(missing && !unitMayChange ? { provisional: `${name} does not exist yet` } : {}),
  };
}

function fixedEnablement(name: string, state: string, want: boolean): KeelError {
  if (want) {
    return new KeelError('E_SERVICE', `service ${name} is ${state}: systemctl enable cannot enable it`, {
      hint:
        state === 'static'
          ? 'it has no [Install] section and starts when another unit pulls it in; drop `enabled`, or add an [Install] section'
          : 'it is enabled through the units named in its Also= setting; enable those instead',
    });
  }
  return new KeelError('E_SERVICE', `service ${name} is ${state}: systemctl disable cannot disable it`, {
    hint: 'generated and transient units come from generators (fstab, SysV scripts) or the runtime; use masked: true to keep it from starting',
  });
}
