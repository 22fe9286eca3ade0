import { ConfigError, KeelError } from '../../src/errors.js';
import type { ApplyContext, BaseSpec, ResourceModule } from '../../src/module.js';
import { shargs } from '../../src/shell.js';
import { DIAG_MARKER, JOURNAL_LINES, diagnosticsScript, isActiveScript, opArgv, refreshScript, type RefreshMode } from './commands.js';
import { planService, type ServiceSteps } from './plan.js';
import { parseUnitProbe, type UnitState } from './probe.js';
import { unitProbe } from './unit-batch.js';
import { isValidUnitName, templateOf, unitName } from './unit-name.js';

export interface ServiceSpec extends BaseSpec {
  running?: boolean;
  enabled?: boolean;
  masked?: boolean;
  refresh?: RefreshMode;
}

const doc = `Manages a systemd unit's run state: running or stopped, enabled at boot or not, masked or
not. The name is the unit ("nginx" means nginx.service; "nginx.socket" or "backup.timer" name
other unit types). Needs systemd as init on the host.

Parameters (each unset one is left as it is):
- running (boolean): started (systemctl start) or stopped (systemctl stop).
- enabled (boolean): started at boot (systemctl enable / disable). Static units (no [Install]
  section) cannot be enabled, nor generated ones disabled: keel says so instead of pretending.
- masked (boolean): masked units cannot be started by anything (systemctl mask / unmask).
  masked: true goes with neither running: true nor enabled: true.
- refresh (restart | reload | reload-or-restart, default restart): what a change of a watched
  resource does. A service declared running: false is never refreshed; one with running unset
  is refreshed only if it is running (try-restart). A reload is as synchronous as the unit's
  \`ExecReload=\`: Debian's nginx.service reloads with \`nginx -s reload\`, which signals the
  master and returns at once, so for a moment after converge old workers may still answer with
  the old configuration. Use restart where the next request must see the new one.

Ops run in this order: unmask, enable/disable, start/stop, mask. After a start or a restart keel
checks that the unit is active; if not, the error shows \`systemctl status\` and the last
${JOURNAL_LINES} journal lines. A service started in this run is not restarted again for a
watched change: it already runs with the new configuration. A unit keel manages with
systemd_unit is applied (and systemd reloaded) before the service that uses it.

Example:
<!-- docs-test: {"files": {"states/app.conf.j2": "server {}\\n"}, "also": "- template: /etc/nginx/sites-enabled/app.conf\\n  source: app.conf.j2\\n- systemd_unit: gunicorn.service\\n  content: \\"[Service]\\\\nExecStart=/bin/true\\\\n\\"\\n"} -->
\`\`\`yaml
- service: nginx
  running: true
  enabled: true
  refresh: reload
  watch: ["template:/etc/nginx/sites-enabled/app.conf"]
- service: gunicorn
  running: true
  enabled: true
  watch: ["systemd_unit:gunicorn.service"]
- service: apache2
  running: false
  masked: true
\`\`\``;

/** Key of a ctx.once flag meaning "started by keel in this run" (see refresh). */
const startedKey = (unit: string) => `service-started:${unit}`;

/** Ids of unit files this service uses, when they are declared: X.service, X, and X@'s template. */
function unitIds(spec: ServiceSpec): string[] {
  const unit = unitName(spec.name);
  const ids = [unit, spec.name, templateOf(unit)].filter((x): x is string => x !== undefined);
  return [...new Set(ids)].map((x) => `systemd_unit:${x}`);
}

/** Start (or restart) the unit, then insist that it is active, with the reasons when it is not. */
async function startChecked(ctx: ApplyContext, unit: string, script: string, oneshot: boolean): Promise<void> {
  try {
    await ctx.run(script);
  } catch (e) {
    throw await notRunning(ctx, unit, `failed: ${script}`, oneshot, e);
  }
  const state = (await ctx.run(isActiveScript(unit))).trim();
  if (state !== 'active' && state !== 'reloading') {
    throw await notRunning(ctx, unit, `is ${state || 'not active'} after: ${script}`, oneshot, undefined);
  }
}

async function notRunning(ctx: ApplyContext, unit: string, what: string, oneshot: boolean, cause: unknown): Promise<KeelError> {
  let status: string;
  let journal: string;
  try {
    const [s, j = ''] = (await ctx.run(diagnosticsScript(unit))).split(`${DIAG_MARKER}\n`);
    status = s.trim();
    journal = j.trim();
  } catch (e) {
    status = `(could not read status: ${(e as Error).message})`;
    journal = '';
  }
  const why = cause instanceof Error ? `\n${cause.message}` : '';
  return new KeelError(
    'E_SERVICE_START',
    `service ${unit} ${what}${why}\n--- systemctl status ---\n${status}\n--- journalctl -u ${unit} -n ${JOURNAL_LINES} ---\n${journal || '(no journal lines)'}`,
    {
      cause,
      hint: oneshot
        ? 'a Type=oneshot unit without RemainAfterExit=yes is never "running": leave running unset and start it with a command, or set RemainAfterExit=yes'
        : undefined,
    },
  );
}

export const serviceModule: ResourceModule<ServiceSpec, UnitState, ServiceSteps> = {
  kind: 'service',
  doc,
  schema: {
    type: 'object',
    properties: {
      running: { type: 'boolean', description: 'true: started; false: stopped. Unset: left as is.' },
      enabled: { type: 'boolean', description: 'true: started at boot (systemctl enable); false: disabled. Unset: left as is.' },
      masked: { type: 'boolean', description: 'true: masked (cannot be started at all); false: unmasked. Unset: left as is.' },
      refresh: {
        type: 'string',
        enum: ['restart', 'reload', 'reload-or-restart'],
        default: 'restart',
        description: 'What a change of a watched resource does to the running service.',
      },
    },
    additionalProperties: false,
  },
  autoRequires: unitIds,

  prepare(spec) {
    const resource = `service:${spec.name}`;
    if (!isValidUnitName(spec.name)) {
      throw new ConfigError(`service: "${spec.name}" is not a systemd unit name`, { resource });
    }
    if (spec.masked === true && (spec.running === true || spec.enabled === true)) {
      throw new ConfigError(`service ${spec.name}: a masked unit can be neither running nor enabled`, {
        resource,
        hint: 'drop masked: true, or set running: false / enabled: false',
      });
    }
    return spec;
  },

  probe: (spec) => unitProbe(unitName(spec.name), 'full'),
  parse: (spec, out, facts) => parseUnitProbe(unitName(spec.name), out, facts),

  plan(spec, cur, facts, ctx) {
    const unitMayChange = unitIds(spec).some((id) => ctx.changed(id) !== false);
    return planService(
      { unit: unitName(spec.name), running: spec.running, enabled: spec.enabled, masked: spec.masked },
      cur,
      facts,
      unitMayChange,
    );
  },

  async apply(ctx, plan) {
    const steps = plan.steps;
    if (!steps) return;
    for (const op of steps.ops) {
      const script = shargs(...opArgv(op, steps.unit));
      if (op !== 'start') {
        await ctx.run(script);
        continue;
      }
      await startChecked(ctx, steps.unit, script, steps.oneshot);
      await ctx.once(startedKey(steps.unit), async () => undefined);
    }
  },

  // nothing to refresh when it stays stopped, or when this run starts it with the new configuration
  refreshAction: (spec, plan) =>
    spec.running === false || spec.masked === true || plan?.steps?.ops.includes('start') ? false : (spec.refresh ?? 'restart'),

  async refresh(ctx, spec) {
    if (spec.running === false || spec.masked === true) return;
    const unit = unitName(spec.name);
    // ctx.once as a flag: if apply started the unit in this run, this fn does not run.
    let startedThisRun = true;
    await ctx.once(startedKey(unit), async () => {
      startedThisRun = false;
    });
    if (startedThisRun) return;
    const mode = spec.refresh ?? 'restart';
    const script = refreshScript(mode, unit, spec.running);
    if (spec.running === true) await startChecked(ctx, unit, script, false);
    else {
      try {
        await ctx.run(script);
      } catch (e) {
        throw await notRunning(ctx, unit, `failed: ${script}`, false, e);
      }
    }
  },
};
