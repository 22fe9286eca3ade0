/** Pure builders of the systemctl/journalctl commands the service module runs. */
import { shargs } from '../../src/shell.js';

/** One change to a unit, in the order apply runs them. */
export type UnitOp = 'daemon-reload' | 'unmask' | 'unmask-runtime' | 'enable' | 'disable' | 'start' | 'stop' | 'mask';

export type RefreshMode = 'restart' | 'reload' | 'reload-or-restart';

export function opArgv(op: UnitOp, unit: string): string[] {
  switch (op) {
    case 'daemon-reload':
      return ['systemctl', 'daemon-reload'];
    case 'unmask-runtime':
      return ['systemctl', 'unmask', '--runtime', unit];
    default:
      return ['systemctl', op, unit];
  }
}

/**
 * The refresh command. A service declared running (or not declared at all but running now)
 * is restarted or reloaded; `try-*` forms leave a stopped service stopped.
 */
export function refreshScript(mode: RefreshMode, unit: string, running: boolean | undefined): string {
  if (running === true) return shargs('systemctl', mode, unit);
  switch (mode) {
    case 'restart':
      return shargs('systemctl', 'try-restart', unit);
    case 'reload-or-restart':
      return shargs('systemctl', 'try-reload-or-restart', unit);
    case 'reload':
      return `if systemctl is-active --quiet ${shargs(unit)}; then ${shargs('systemctl', 'reload', unit)}; fi`;
  }
}

/** Prints the unit's state word; never fails. */
export function isActiveScript(unit: string): string {
  return `${shargs('systemctl', 'is-active', unit)} || :`;
}

export const JOURNAL_LINES = 20;

/** Why a unit is not running: the status summary, a marker line, then the journal's last lines. */
export function diagnosticsScript(unit: string): string {
  return [
    `LC_ALL=C ${shargs('systemctl', 'status', '--no-pager', '--full', '--lines=0', unit)} 2>&1 || :`,
    `echo ${DIAG_MARKER}`,
    `${shargs('journalctl', '-u', unit, '-n', JOURNAL_LINES, '--no-pager')} 2>&1 || :`,
  ].join('\n');
}

export const DIAG_MARKER = '@@keel-journal@@';
