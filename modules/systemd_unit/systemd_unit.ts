import { isUtf8 } from 'node:buffer';
import { ConfigError, isKeelError } from '../../src/errors.js';
import type { ApplyContext, BaseSpec, Change, Plan, PrepareEnv, Probe, ProbeOutput, ResourceModule } from '../../src/module.js';
import {
  applyFileSteps,
  desiredContent,
  fileProbe,
  modeSchema,
  parseFileProbe,
  planFile,
  type FileState,
  type FileSteps,
} from '../shared/index.js';
import { unitProbe } from '../service/unit-batch.js';
import { isValidUnitName, unitType } from '../service/unit-name.js';

export interface SystemdUnitSpec extends BaseSpec {
  content?: string;
  source?: string;
  template?: string;
  vars?: Record<string, unknown>;
  mode?: string;
  state?: 'present' | 'absent';
}

export interface UnitFileCurrent {
  file: FileState;
  /** systemd has an older version of this unit loaded than the one on disk. */
  needsDaemonReload: boolean;
}

export interface UnitFileSteps {
  file?: FileSteps;
  /** Run `systemctl daemon-reload` after writing (false on hosts without systemd as init). */
  daemonReload: boolean;
}

export const UNIT_DIR = '/etc/systemd/system';
const DEFAULT_MODE = '0644';
const DAEMON_RELOAD = 'systemctl daemon-reload';

const doc = `Manages a systemd unit file in ${UNIT_DIR} and makes systemd load it. The name is the unit
file's name with its type ("gunicorn.service", "backup.timer", "worker@.service").

Parameters (at most one of content, source, template; one of them unless state is absent):
- content (string): the unit file's whole text.
- source (string): a file to copy, relative to the state file that declares the resource.
- template (string): a Jinja-style file, relative to the state file, rendered with the host's
  variables (and \`vars\`).
- vars (map): extra variables for template.
- mode (string, default "${DEFAULT_MODE}"): permission bits. The file belongs to root:root.
- state (present | absent, default present): absent removes the file.

After writing or removing unit files keel runs \`systemctl daemon-reload\`, once for all the unit
files of a host that change together, so that a service using the unit starts with the new
version. A watch or notify on a systemd_unit (a drop-in file it watches changed) runs
\`systemctl daemon-reload\` too, unless its own file changed in the same run (that already
reloaded systemd). A service resource requires its unit file automatically (service: gunicorn requires
systemd_unit: gunicorn.service when both are declared); to restart the service when its unit
changes, add a watch. Before removing a unit file, stop and disable its service. A symbolic link at
the path (an alias, or a mask: a link to /dev/null) is replaced by the file: do not also declare
masked: true for the same unit.

Example:
<!-- docs-test: {"files": {"states/templates/gunicorn.service.j2": "[Service]\\nExecStart=/bin/true\\n"}} -->
\`\`\`yaml
- systemd_unit: gunicorn.service
  template: templates/gunicorn.service.j2
- service: gunicorn
  running: true
  enabled: true
  watch: ["systemd_unit:gunicorn.service"]
\`\`\``;

const unitPath = (spec: SystemdUnitSpec): string => `${UNIT_DIR}/${spec.name}`;
const isAbsent = (spec: SystemdUnitSpec): boolean => (spec.state ?? 'present') === 'absent';

function wantedContent(spec: SystemdUnitSpec): string {
  if (spec.content === undefined) {
    throw new ConfigError(`systemd_unit ${spec.name}: no content (source and template are read by prepare())`);
  }
  return spec.content;
}

/** Read (and render) the unit's text on the controller: a unit file is text, never bytes. */
function readText(spec: SystemdUnitSpec, env: PrepareEnv, key: 'source' | 'template', rel: string): string {
  let bytes: Buffer;
  try {
    bytes = env.readFile(rel);
  } catch (e) {
    if (isKeelError(e)) throw e;
    throw new ConfigError(`systemd_unit ${spec.name}: cannot read ${key} ${rel}: ${(e as Error).message}`, { cause: e });
  }
  if (!isUtf8(bytes)) throw new ConfigError(`systemd_unit ${spec.name}: ${key} ${rel} is not UTF-8 text`);
  const text = bytes.toString('utf8');
  return key === 'template' ? env.render(text, spec.vars) : text;
}

function probe(spec: SystemdUnitSpec): Probe {
  const path = unitPath(spec);
  // needreload= from the host's one systemctl show, when systemd runs
  const reload = unitProbe(spec.name, 'reload');
  const file = isAbsent(spec) ? fileProbe(path) : fileProbe(path, { hash: true, wantSha256: desiredContent(wantedContent(spec)).sha256 });
  return [reload, file];
}

function parse(spec: SystemdUnitSpec, out: ProbeOutput): UnitFileCurrent {
  return { file: parseFileProbe(unitPath(spec), out), needsDaemonReload: /^needreload=yes$/m.test(out.text) };
}

function plan(spec: SystemdUnitSpec, cur: UnitFileCurrent, daemonReload: boolean): Plan<UnitFileSteps> {
  const absent = isAbsent(spec);
  const file = planFile(
    {
      path: unitPath(spec),
      state: absent ? 'absent' : 'present',
      content: absent ? undefined : desiredContent(wantedContent(spec)),
      mode: spec.mode ?? DEFAULT_MODE,
      owner: absent ? undefined : 'root',
      group: absent ? undefined : 'root',
    },
    cur.file,
  );
  if (file.action !== 'none') {
    // A mode change alone leaves what systemd loaded as it is.
    const reload = daemonReload && (file.steps?.op !== 'attrs' || cur.needsDaemonReload);
    return { ...file, steps: { file: file.steps, daemonReload: reload } };
  }
  // The file is right but systemd still runs an older version (an earlier run stopped midway).
  if (!absent && cur.needsDaemonReload && daemonReload) {
    const changes: Change[] = [{ field: 'needs_daemon_reload', from: true, to: false }];
    return { action: 'update', changes, steps: { daemonReload: true } };
  }
  return { action: 'none', changes: [] };
}

/** Write every unit file, then one daemon-reload for all of them. */
async function applyBatch(ctx: ApplyContext, items: { spec: SystemdUnitSpec; plan: Plan<UnitFileSteps> }[]): Promise<void> {
  for (const { plan: p } of items) if (p.steps?.file) await applyFileSteps(ctx, p.steps.file);
  if (items.some((x) => x.plan.steps?.daemonReload)) await ctx.run(DAEMON_RELOAD);
}

export const systemdUnitModule: ResourceModule<SystemdUnitSpec, UnitFileCurrent, UnitFileSteps> = {
  kind: 'systemd_unit',
  doc,
  schema: {
    type: 'object',
    properties: {
      content: { type: 'string', description: 'The whole text of the unit file.' },
      source: { type: 'string', minLength: 1, description: 'Unit file to copy, relative to the declaring state file.' },
      template: {
        type: 'string',
        minLength: 1,
        description: "Jinja-style unit file, relative to the declaring state file, rendered with the host's variables.",
      },
      vars: { type: 'object', description: 'Extra variables for template (they override host variables).' },
      mode: { ...modeSchema, default: DEFAULT_MODE, description: `${modeSchema.description} Default "${DEFAULT_MODE}".` },
      state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'Whether the unit file exists.' },
    },
    // "only one of content, source, template" is checked by prepare(), whose message says so.
    additionalProperties: false,
  },

  prepare(spec, env) {
    const resource = `systemd_unit:${spec.name}`;
    if (!isValidUnitName(spec.name) || !unitType(spec.name)) {
      throw new ConfigError(`systemd_unit: "${spec.name}" is not a unit file name`, {
        resource,
        hint: 'give the file name with its type, e.g. gunicorn.service or backup.timer',
      });
    }
    const given = (['content', 'source', 'template'] as const).filter((k) => spec[k] !== undefined);
    if (given.length > 1) throw new ConfigError(`systemd_unit ${spec.name}: set one of content, source and template, not ${given.join(' and ')}`, { resource });
    if (isAbsent(spec)) return spec;
    if (given.length === 0) throw new ConfigError(`systemd_unit ${spec.name}: set content, source or template`, { resource });
    if (spec.vars !== undefined && spec.template === undefined) {
      throw new ConfigError(`systemd_unit ${spec.name}: vars is only used with template`, { resource });
    }
    if (spec.source !== undefined) return { ...spec, content: readText(spec, env, 'source', spec.source) };
    if (spec.template !== undefined) return { ...spec, content: readText(spec, env, 'template', spec.template) };
    return spec;
  },

  paths: (spec) => [{ path: unitPath(spec), use: 'whole' }],
  probe,
  parse: (spec, out) => parse(spec, out),
  plan: (spec, cur, facts) => plan(spec, cur, facts.init === 'systemd'),
  apply: (ctx, p, spec) => applyBatch(ctx, [{ spec, plan: p }]),
  applyBatch,
  // a unit written in this run was reloaded after its triggers (they come first): no second reload
  refreshAction: (_spec, p) => (p?.steps?.daemonReload ? false : 'daemon-reload'),
  async refresh(ctx) {
    if (ctx.facts.init === 'systemd') await ctx.run(DAEMON_RELOAD);
  },
};
