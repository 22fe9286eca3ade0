import { describe, expect, it } from 'vitest';
import { ConfigErrors, type KeelError } from '../errors.js';
import { testModuleSet } from '../../test/fixtures/config/modules.js';
import { compileHost, formatErrors, loadInventory, validateInventory } from './index.js';

const F = 'test/fixtures/config';
const S = `${F}/broken/states`;

/** `file:line:col: message` of every error a host's compile throws (hints dropped). */
function hostErrors(host: string): string[] {
  const inv = loadInventory(`${F}/broken/inventory.yaml`);
  try {
    compileHost(inv, host, testModuleSet);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigErrors);
    return lines((e as ConfigErrors).errors);
  }
  throw new Error(`host ${host} compiled without errors`);
}

function lines(errs: KeelError[]): string[] {
  return errs.map((e) => `${e.pos?.file}:${e.pos?.line}:${e.pos?.column}: ${e.message}`);
}

describe('compileHost errors', () => {
  it('reports malformed YAML with its line and column, one message per parser error', () => {
    expect(hostErrors('malformed')).toEqual([
      `${S}/malformed.yaml:2:11: invalid YAML: Nested mappings are not allowed in compact mappings`,
      `${S}/malformed.yaml:2:11: invalid YAML: Implicit keys need to be on a single line`,
    ]);
  });

  it('names the closest module for an unknown module type', () => {
    expect(hostErrors('unknown-module')).toEqual([
      `${S}/unknown-module.yaml:2:5: resource has no module type: expected one of command, directory, file, pkg, service; did you mean 'file' for 'fiel'?`,
    ]);
  });

  it('suggests the right key for a misspelt one, at the key', () => {
    expect(hostErrors('misspelt-key')).toEqual([`${S}/misspelt-key.yaml:3:5: unknown key 'modee' for file: did you mean 'mode'?`]);
  });

  it('says a misspelt required key once, at the key, not also as missing', () => {
    expect(hostErrors('misspelt-required')).toEqual([`${S}/misspelt-required.yaml:3:5: unknown key 'runn' for command: did you mean 'run'?`]);
  });

  it('reports wrong types, enums and missing keys at the value or mapping', () => {
    expect(hostErrors('wrong-type')).toEqual([
      `${S}/wrong-type.yaml:4:11: resources[1].mode: expected string matching ^0?[0-7]{3,4}$, found 644 (number)`,
      `${S}/wrong-type.yaml:6:12: resources[2].state: expected one of present, absent, latest, found "installed" (string)`,
      `${S}/wrong-type.yaml:7:5: missing required key 'run' for command`,
    ]);
  });

  it('names an undefined variable at its own column, in quoted and block scalars', () => {
    expect(hostErrors('undefined-var')).toEqual([
      `${S}/undefined-var.yaml:3:24: undefined variable 'app_nme'; did you mean 'app_name'?`,
      `${S}/undefined-var.yaml:7:15: undefined variable 'missing_port'`,
    ]);
  });

  it('reports a missing include where it is named, with a suggestion', () => {
    expect(hostErrors('missing-include')).toEqual([
      `${S}/missing-include.yaml:1:17: state 'bsae' not found: expected ${S}/bsae.yaml; did you mean 'base'?`,
    ]);
  });

  it('names the whole chain of an include cycle', () => {
    expect(hostErrors('include-cycle')).toEqual([
      `${S}/cycle-b.yaml:4:5: include cycle: ${S}/cycle-a.yaml -> ${S}/cycle-b.yaml -> ${S}/cycle-a.yaml`,
    ]);
  });

  it('reports a duplicate id at the second declaration, naming the first', () => {
    expect(hostErrors('duplicate-id')).toEqual([
      `${S}/duplicate-id.yaml:3:5: duplicate resource id 'file:/etc/a': first declared at ${S}/duplicate-id.yaml:2:5`,
    ]);
  });

  it('reports unknown references at the reference, with did-you-mean', () => {
    expect(hostErrors('unknown-ref')).toEqual([
      `${S}/unknown-ref.yaml:4:15: unknown reference 'pkg:ngnix' in require: no resource with this id on this host; did you mean 'pkg:nginx'?`,
      `${S}/unknown-ref.yaml:5:12: unknown reference 'file:/etc/nginx.conf' in watch: no resource with this id on this host`,
    ]);
  });

  it('refuses a watch or notify that would refresh a resource with no refresh, at the reference', () => {
    const types = 'types with a refresh: command (with refresh: run), service';
    expect(hostErrors('no-refresh')).toEqual([
      `${S}/no-refresh.yaml:5:12: watch file:/etc/app.conf: pkg:curl (type pkg) cannot be refreshed when file:/etc/app.conf changes: pkg resources have no refresh; ${types}`,
      `${S}/no-refresh.yaml:8:13: watch pkg:curl: command:migrate (type command) cannot be refreshed when pkg:curl changes: a command has a refresh only with "refresh: run"; ${types}`,
      `${S}/no-refresh.yaml:8:23: watch file:/etc/app.conf: command:migrate (type command) cannot be refreshed when file:/etc/app.conf changes: a command has a refresh only with "refresh: run"; ${types}`,
      `${S}/no-refresh.yaml:11:27: notify pkg:curl: pkg:curl (type pkg) cannot be refreshed when file:/etc/other.conf changes: pkg resources have no refresh; ${types}`,
    ]);
    const inv = loadInventory(`${F}/broken/inventory.yaml`);
    const hints = (() => {
      try {
        compileHost(inv, 'no-refresh', testModuleSet);
      } catch (e) {
        return (e as ConfigErrors).errors.map((x) => x.hint);
      }
    })();
    expect(hints).toEqual([
      'write require: file:/etc/app.conf for the order alone',
      'add "refresh: run" to command:migrate, or write require: pkg:curl for the order alone',
      'add "refresh: run" to command:migrate, or write require: file:/etc/app.conf for the order alone',
      'write before: pkg:curl for the order alone',
    ]);
  });

  it('rejects an explicit id on a list of names', () => {
    expect(hostErrors('id-with-list')).toEqual([
      `${S}/id-with-list.yaml:3:5: explicit 'id' with a list of names: every pkg would get the same id`,
    ]);
  });

  it('reports every error of a host together, in file order', () => {
    expect(hostErrors('many')).toEqual([
      `${S}/many.yaml:3:5: unknown key 'modee' for file: did you mean 'mode'?`,
      `${S}/many.yaml:4:5: resource has no module type: expected one of command, directory, file, pkg, service; did you mean 'pkg' for 'pakg'?`,
      `${S}/many.yaml:6:18: undefined variable 'nope'`,
      `${S}/many.yaml:8:15: unknown reference 'pkg:none' in require: no resource with this id on this host`,
    ]);
  });

  it('formats errors as file:line:column lines, with host and hint, never a stack', () => {
    const inv = loadInventory(`${F}/broken/inventory.yaml`);
    let text = '';
    try {
      compileHost(inv, 'undefined-var', testModuleSet);
    } catch (e) {
      text = formatErrors(e as ConfigErrors);
    }
    expect(text.split('\n').slice(0, 2)).toEqual([
      `${S}/undefined-var.yaml:3:24: host undefined-var: undefined variable 'app_nme'; did you mean 'app_name'?`,
      '  hint: define it in the inventory (vars, group or host vars) or pass --var app_nme=...',
    ]);
    expect(text).not.toMatch(/\n\s+at /);
  });

  it('validateInventory returns every error of every host, each once', () => {
    const errs = validateInventory(loadInventory(`${F}/broken/inventory.yaml`), testModuleSet);
    const all = lines(errs);
    expect(all).toHaveLength(new Set(all).size);
    expect(all).toHaveLength(24); // 2+1+1+3+2+1+1+1+2+1+4+4+1 across the thirteen broken hosts
    expect(all).toContain(`${S}/misspelt-key.yaml:3:5: unknown key 'modee' for file: did you mean 'mode'?`);
    expect(all).toContain(`${S}/cycle-b.yaml:4:5: include cycle: ${S}/cycle-a.yaml -> ${S}/cycle-b.yaml -> ${S}/cycle-a.yaml`);
  });

  it('throws for an unknown host', () => {
    const inv = loadInventory(`${F}/good/inventory.yaml`);
    expect(() => compileHost(inv, 'web3', testModuleSet)).toThrow(ConfigErrors);
  });
});

describe('compileHost', () => {
  const inv = () => loadInventory(`${F}/good/inventory.yaml`);

  it('orders resources: includes first, each file once, states in order; shorthand lists expand', () => {
    const res = compileHost(inv(), 'web1', testModuleSet);
    expect(res.map((r) => [r.index, r.id])).toEqual([
      [0, 'directory:/srv/app'],
      [1, 'pkg:curl'],
      [2, 'pkg:git'],
      [3, 'file:/etc/motd'],
      [4, 'pkg:nginx'],
      [5, 'service:nginx'],
      [6, 'file:/etc/nginx/sites-enabled/app.conf'],
      [7, 'migrate'],
      [8, 'pkg:htop'],
      [9, 'pkg:jq'],
      [10, 'file:/etc/web1-only'],
    ]);
  });

  it('gives every shorthand item the other keys, and positions at the type key', () => {
    const res = compileHost(inv(), 'web2', testModuleSet);
    const git = res.find((r) => r.id === 'pkg:git')!;
    expect(git.spec).toEqual({ name: 'git', state: 'present' });
    expect(git.pos).toEqual({ file: `${F}/good/states/base.yaml`, line: 3, column: 5 });
    expect(git.stateDir).toBe(`${F}/good/states`);
  });

  it('renders with host vars, keeps single-expression types, normalises relations', () => {
    const res = compileHost(inv(), 'web1', testModuleSet);
    const byId = new Map(res.map((r) => [r.id, r]));
    expect(byId.get('file:/etc/motd')!.spec.content).toBe('Welcome to superbook on web1');
    expect(byId.get('file:/etc/motd')!.require).toEqual(['pkg:curl']);
    const svc = byId.get('service:nginx')!;
    expect(svc.spec).toEqual({ name: 'nginx', running: true, port: 80 });
    expect(svc.watch).toEqual(['file:/etc/nginx/sites-enabled/app.conf']);
    expect(byId.get('file:/etc/nginx/sites-enabled/app.conf')!.tags).toEqual(['web']);
    const migrate = byId.get('migrate')!;
    expect(migrate.kind).toBe('command');
    expect(migrate.name).toBe('migrate');
    expect(migrate.spec).toEqual({ name: 'migrate', run: 'python3 manage.py migrate', refresh: 'run', cwd: '/srv/superbook' });
    expect(byId.get('file:/etc/web1-only')!.notify).toEqual(['migrate']);
  });

  it('differs per host and only where the host has the state', () => {
    const i = inv();
    expect(compileHost(i, 'bastion', testModuleSet).map((r) => r.id)).toEqual(['directory:/srv/app', 'pkg:curl', 'pkg:git', 'file:/etc/motd']);
    expect(compileHost(i, 'bastion', testModuleSet)[3].spec.content).toBe('Welcome to superbook on bastion');
  });
});

describe('YAML traps', () => {
  it('explains an unquoted {{ that YAML read as a mapping', async () => {
    const { parseStateFile } = await import('./state-file.js');
    const sf = parseStateFile(`${F}/traps/states/unquoted.yaml`, testModuleSet);
    expect(lines(sf.errors)).toEqual([
      `${F}/traps/states/unquoted.yaml:3:10: unquoted '{{' starts a YAML mapping, not a template`,
    ]);
  });
});
