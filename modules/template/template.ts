import { isUtf8 } from 'node:buffer';
import { resolve } from 'node:path';
import { ConfigError, isKeelError } from '../../src/errors.js';
import type { BaseSpec, ResourceModule } from '../../src/module.js';
import {
  applyFileSteps,
  assertAbsolutePath,
  parentDirs,
  type FileState,
  type FileSteps,
  fileAttributeProperties,
} from '../shared/index.js';
import { fileModule, type FileSpec } from '../file/file.js';
import { renderTemplateFile, searchPathsFor } from './render.js';

export interface TemplateSpec extends BaseSpec {
  source?: string;
  vars?: Record<string, unknown>;
  state?: 'present' | 'absent';
  owner?: string;
  group?: string;
  mode?: string;
  backup?: boolean;
  /** The rendered text, set by prepare(); not a user parameter. */
  content?: string;
}

const doc = `Renders a Jinja-style template (nunjucks) on the controller and manages the resulting file
exactly as the file module does: contents, mode, owner and group, atomic writes, diffs, backups.
The name is the file's absolute path.

Parameters:
- source (string, required unless state is absent): the template file, relative to the state
  file that declares the resource.
- vars (map): extra variables for this template; they override the host's variables.
- state (present | absent, default present): absent removes the file (the template is not read).
- mode (string, e.g. "0644"): permission bits. Default "0644" when the file is created; unset
  leaves the mode of an existing file as it is.
- owner, group (string, name or numeric id): unset leaves them as they are.
- backup (boolean, default false): before overwriting contents, copy the old file to
  \`<path>.keel-bak-<UTC timestamp>.<random>\` (a random tail keeps every backup).

The template sees the host's variables (inventory vars, group and host vars, --var) and \`vars\`.
Undefined variables are errors, reported at the template file's line and column (use
\`x | default("y")\` or \`{% if x is defined %}\` for optional ones); so are syntax errors.
\`{% include "name" %}\` and \`{% extends "name" %}\` look the name up in the template's
directory, then in the state file's directory; a name starting with ./ or ../ is relative to
the including file and may not leave those directories. Output is not HTML-escaped.

Example:
<!-- docs-test: {"files": {"states/templates/nginx-app.conf.j2": "upstream {{ upstream_port }};\\n"}} -->
\`\`\`yaml
- template: /etc/nginx/sites-enabled/app.conf
  source: templates/nginx-app.conf.j2
  vars:
    upstream_port: 8000
  mode: "0644"
  backup: true
- template: /etc/nginx/sites-enabled/default
  state: absent
\`\`\``;

const isAbsent = (spec: TemplateSpec): boolean => (spec.state ?? 'present') === 'absent';

/** After prepare, a template is a file with known contents. */
function asFile(spec: TemplateSpec): FileSpec {
  if (!isAbsent(spec) && spec.content === undefined) {
    throw new ConfigError(`template ${spec.name}: source ${spec.source ?? '(none)'} was not rendered (prepare() not called)`);
  }
  const { source: _s, vars: _v, ...file } = spec;
  return file;
}

export const templateModule: ResourceModule<TemplateSpec, FileState, FileSteps> = {
  kind: 'template',
  doc,
  schema: {
    type: 'object',
    properties: {
      source: {
        type: 'string',
        minLength: 1,
        description: 'Jinja-style template file, relative to the declaring state file. Required unless state is absent.',
      },
      vars: {
        type: 'object',
        description: "Extra variables for this template; they override the host's variables.",
      },
      ...fileAttributeProperties,
    },
    additionalProperties: false,
    // source is required unless state is absent (written so that Ajv's strict mode accepts it).
    if: { type: 'object', properties: { state: { const: 'absent' } }, required: ['state'] },
    else: { type: 'object', properties: { source: { type: 'string' } }, required: ['source'] },
  },
  autoRequires: (spec) => parentDirs(spec.name).map((d) => `directory:${d}`),
  paths: (spec) => [{ path: spec.name, use: 'whole' }],

  prepare(spec, env) {
    assertAbsolutePath('template', spec.name);
    const resource = `template:${spec.name}`;
    if (isAbsent(spec)) return spec;
    if (spec.source === undefined) throw new ConfigError('source is required', { resource });
    const file = resolve(env.stateDir, spec.source);
    let bytes: Buffer;
    try {
      bytes = env.readFile(spec.source);
    } catch (e) {
      if (isKeelError(e)) throw e;
      throw new ConfigError(`cannot read source ${spec.source}: ${(e as Error).message}`, { resource, cause: e });
    }
    if (!isUtf8(bytes)) throw new ConfigError(`source ${spec.source} is not UTF-8 text`, { resource });
    const vars = spec.vars ? { ...env.vars, ...spec.vars } : env.vars;
    try {
      const content = renderTemplateFile({ file, text: bytes.toString('utf8') }, vars, searchPathsFor(file, env.stateDir));
      return { ...spec, content };
    } catch (e) {
      if (!isKeelError(e)) throw e;
      // Keep the template's position; name the resource that rendered it.
      throw new ConfigError(e.message, { pos: e.pos, resource, hint: e.hint, cause: e.cause ?? e });
    }
  },

  probe: (spec) => fileModule.probe(asFile(spec)),
  parse: (spec, out, facts) => fileModule.parse(asFile(spec), out, facts),
  plan: (spec, current, facts, ctx) => fileModule.plan(asFile(spec), current, facts, ctx),
  async apply(ctx, plan) {
    if (plan.steps) await applyFileSteps(ctx, plan.steps);
  },
};
