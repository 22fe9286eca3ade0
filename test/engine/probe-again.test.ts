/**
 * What converge probes again, and when, over the real local transport: a resource probed in the
 * round trip of another is probed only where nothing that may touch the host at large runs
 * before its own turn; a refresh runs only once what was applied before it is verified.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { builtinModules } from '../../modules/index.js';
import type { ResourceModule } from '../../src/module.js';
import { moduleSet } from '../../src/module-set.js';
import { shq } from '../../src/shell.js';
import type { ExecOptions, PutOptions, Transport } from '../../src/transport/types.js';
import { project, type Project } from './local-env.js';
import { resource, runLocal } from './run-local.js';

const projects: Project[] = [];
afterAll(() => projects.forEach((p) => p.remove()));
function make(state: string): Project {
  const p = project({ site: state });
  projects.push(p);
  return p;
}

describe('a command that creates the file a later line edits', () => {
  // the line requires the directory only (automatic), so it is probed again when its turn comes
  // after the command, never in the command's round trip while the file is still missing
  const p = make(`resources:
  - directory: "{{ root }}/app"
  - command: unpack
    run: "printf 'port=80\\\\nname=app\\\\n' > {{ root }}/app/app.ini"
    creates: "{{ root }}/app/app.ini"
    require: "directory:{{ root }}/app"
  - line: "{{ root }}/app/app.ini"
    text: "port=8080"
    match: "^port="
`);

  it('converges in one run: the line sees the file the command wrote', async () => {
    const run = await runLocal('converge', p.inventory, { vars: [`root=${p.root}`] });
    expect(run.code, run.text).toBe(0);
    expect(resource(run, 'command:unpack').status).toBe('changed');
    expect(resource(run, `line:${p.root}/app/app.ini`).status).toBe('changed');
    expect(readFileSync(`${p.root}/app/app.ini`, 'utf8')).toBe('port=8080\nname=app\n');
    const again = await runLocal('plan', p.inventory, { vars: [`root=${p.root}`] });
    expect(again.report.hosts[0].status, again.text).toBe('in-sync');
  });
});

type MarkSpec = { name: string; content: string; unverifiable?: boolean; log?: string };
/** A file written by batch, that may touch anything (it claims no path); its refresh appends to `log`. */
const markModule: ResourceModule<MarkSpec, { text: string | null }> = {
  kind: 'mark',
  doc: 'test only: a batching module with a refresh',
  schema: {
    type: 'object',
    properties: { content: { type: 'string' }, unverifiable: { type: 'boolean' }, log: { type: 'string' } },
    required: ['content'],
    additionalProperties: false,
  },
  probe: (spec) => `if [ -f ${shq(spec.name)} ]; then cat ${shq(spec.name)}; else echo '<absent>'; fi`,
  parse: (_spec, out) => ({ text: out.text === '<absent>\n' ? null : out.text }),
  plan: (spec, cur) =>
    cur.text === spec.content
      ? { action: 'none', changes: [] }
      : { action: 'update', changes: [{ field: 'content', from: cur.text, to: spec.content }], verifiable: spec.unverifiable ? false : undefined },
  apply: (ctx, _plan, spec) => ctx.transport.put(spec.name, spec.content),
  async applyBatch(ctx, items) {
    for (const { spec } of items) await ctx.transport.put(spec.name, spec.content);
  },
  refreshAction: () => 'reload',
  async refresh(ctx, spec) {
    await ctx.run(`echo reload >> ${shq(spec.log!)}`);
  },
};

/** Every script the host was sent, in order (a probe batch's script is its stdin). */
function recorder() {
  const sent: string[] = [];
  const wrap = (t: Transport): Transport => ({
    host: t.host,
    exec: (script: string, opts?: ExecOptions) => {
      sent.push(script === 'sh -s' ? String(opts?.stdin ?? '') : script);
      return t.exec(script, opts);
    },
    put: (path: string, content: string | Buffer, opts?: PutOptions) => t.put(path, content, opts),
    close: () => t.close(),
  });
  return { sent, wrap };
}

describe('a refresh after a batch', () => {
  // R's apply cannot be verified (so nothing of its own waits), but M, applied in R's batch, can:
  // M is verified before R's refresh runs, not after it
  const p = make(`resources:
  - file: "{{ root }}/T"
    content: "t\\n"
  - mark: "{{ root }}/R"
    content: "r"
    unverifiable: true
    log: "{{ root }}/reloads.log"
    watch: "file:{{ root }}/T"
  - mark: "{{ root }}/M"
    content: "m"
`);

  it('runs only once every resource applied before it is verified', async () => {
    const { sent, wrap } = recorder();
    const modules = moduleSet([...builtinModules.values(), markModule]);
    const run = await runLocal('converge', p.inventory, { vars: [`root=${p.root}`], modules, wrap });
    expect(run.code, run.text).toBe(0);
    expect(resource(run, `mark:${p.root}/R`)).toMatchObject({ status: 'changed', refreshed: true });
    expect(resource(run, `mark:${p.root}/M`).status).toBe('changed');
    expect(readFileSync(`${p.root}/reloads.log`, 'utf8')).toBe('reload\n');
    const reload = sent.findIndex((s) => s.includes('echo reload >>'));
    // M is probed by the plan, again before its batch (the file T was written since), and once to verify it
    const probesOfM = sent.flatMap((s, i) => (s.includes(`${p.root}/M`) ? [i] : []));
    expect(probesOfM, sent.join('\n----\n')).toHaveLength(3);
    expect(probesOfM[2]).toBeLessThan(reload);
  });
});
