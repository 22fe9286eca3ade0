/**
 * What systemd says about one unit: `systemctl show` for load/active state and type, then
 * `systemctl is-enabled` on the unit's real Id (an alias like sshd.service resolves to
 * ssh.service), because only is-enabled knows about SysV scripts, static and generated units.
 * The probe itself is shared by all units of a host (unit-batch.ts).
 */
import { KeelError } from '../../src/errors.js';
import type { HostFacts } from '../../src/facts/types.js';
import type { ProbeOutput } from '../../src/module.js';

export const SHOW_PROPERTIES = [
  'Id',
  'LoadState',
  'ActiveState',
  'SubState',
  'UnitFileState',
  'NeedDaemonReload',
  'Type',
  'RemainAfterExit',
  'CanReload',
] as const;

export interface UnitState {
  /** False on a host without systemd as init: plan says so. */
  available: boolean;
  /** The unit's real name (aliases resolved). */
  id: string;
  /** loaded, not-found, masked, error, bad-setting. */
  loadState: string;
  /** active, reloading, inactive, failed, activating, deactivating. */
  activeState: string;
  subState: string;
  /** Output of is-enabled: enabled, disabled, static, masked, generated, ...; "" when it printed none. */
  enablement: string;
  needDaemonReload: boolean;
  type: string;
  remainAfterExit: boolean;
  canReload: boolean;
}

export function parseUnitProbe(unit: string, out: ProbeOutput, facts: HostFacts): UnitState {
  const kv = new Map<string, string>();
  for (const line of out.text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) kv.set(line.slice(0, eq), line.slice(eq + 1).trim());
  }
  const base: UnitState = {
    available: false,
    id: unit,
    loadState: '',
    activeState: '',
    subState: '',
    enablement: '',
    needDaemonReload: false,
    type: '',
    remainAfterExit: false,
    canReload: false,
  };
  // Without systemd as init, systemctl fails or is missing: plan reports that, not the probe.
  if (facts.init !== 'systemd' || kv.get('systemctl') === 'missing') return base;
  if (out.code !== 0 || !kv.has('LoadState')) {
    const err = out.stderr.toString('utf8').trim();
    throw new KeelError('E_PROBE', `probe of unit ${unit} failed (exit ${out.code})${err ? `: ${err}` : ''}`);
  }
  return {
    available: true,
    id: kv.get('Id') || unit,
    loadState: kv.get('LoadState') ?? '',
    activeState: kv.get('ActiveState') ?? '',
    subState: kv.get('SubState') ?? '',
    enablement: kv.get('IsEnabled') ?? '',
    needDaemonReload: kv.get('NeedDaemonReload') === 'yes',
    type: kv.get('Type') ?? '',
    remainAfterExit: kv.get('RemainAfterExit') === 'yes',
    canReload: kv.get('CanReload') === 'yes',
  };
}

/** Running as `systemctl is-active` counts it: active, or reloading its configuration. */
export function isRunning(s: UnitState): boolean {
  return s.activeState === 'active' || s.activeState === 'reloading' || s.activeState === 'refreshing';
}

export function isMasked(s: UnitState): boolean {
  return s.loadState === 'masked' || s.enablement === 'masked' || s.enablement === 'masked-runtime';
}
