/**
 * Ansible's dynamic-inventory JSON (what `SCRIPT --list` prints) in keel's inventory shape, so
 * existing Ansible inventory scripts work unchanged. Pure: output in, keel document out.
 *
 *   {"_meta": {"hostvars": {"web1": {"ansible_host": "10.0.0.5", "app_port": 8001}}},
 *    "all": {"vars": {...}, "children": ["web", "ungrouped"]},
 *    "web": {"hosts": ["web1"], "vars": {...}, "children": [...]},
 *    "db": ["db1"]}                                  (a list: the group's hosts)
 *
 * `all`'s vars are every host's (its connection keys become `defaults`), its hosts are declared at
 * top level and its children are implied (every group is in all). The connection variables map
 * to keel's settings (CONNECTION_VARS); every other hostvar or group var stays a variable.
 */
import type { PathSeg } from './source.js';
import { isPlainObject, type Vars } from './vars.js';

export interface AnsibleProblem {
  path: PathSeg[];
  message: string;
}

/** Ansible's connection variables (newer and older names) -> keel's connection settings. */
const CONNECTION_VARS: Record<string, 'address' | 'port' | 'user' | 'identity' | 'connection' | 'become' | 'become_user'> = {
  ansible_host: 'address',
  ansible_ssh_host: 'address',
  ansible_port: 'port',
  ansible_ssh_port: 'port',
  ansible_user: 'user',
  ansible_ssh_user: 'user',
  ansible_ssh_private_key_file: 'identity',
  ansible_private_key_file: 'identity',
  ansible_connection: 'connection',
  ansible_become: 'become',
  ansible_become_user: 'become_user',
};

/** Top-level keys of keel's own shape: output using only these (and no `_meta`) is keel's. */
export const KEEL_TOP_KEYS = ['state_dir', 'sensitive_vars', 'defaults', 'vars', 'states', 'hosts', 'groups', 'drift', 'sources', 'secrets', 'bundle_path'];

/**
 * Ansible's format: `_meta` is there, or some key that is not one of keel's holds a group
 * (a list of host names, or a mapping with a `hosts` or `children` list).
 */
export function isAnsibleOutput(json: Vars): boolean {
  if ('_meta' in json) return true;
  return Object.entries(json).some(
    ([k, v]) => !KEEL_TOP_KEYS.includes(k) && (Array.isArray(v) || (isPlainObject(v) && (Array.isArray(v.hosts) || Array.isArray(v.children)))),
  );
}

/** Translate; problems (a wrong type, an unknown key) come back with their path in the output. */
export function ansibleToKeel(json: Vars): { doc: Vars; problems: AnsibleProblem[] } {
  const problems: AnsibleProblem[] = [];
  const hosts: Vars = {};
  const groups: Record<string, Vars> = {};
  const doc: Vars = { hosts, groups };

  const meta = json._meta;
  const hostvars = isPlainObject(meta) && isPlainObject(meta.hostvars) ? meta.hostvars : {};
  if (meta !== undefined && !(isPlainObject(meta) && (meta.hostvars === undefined || isPlainObject(meta.hostvars)))) {
    problems.push({ path: ['_meta'], message: 'expected a mapping with a `hostvars` mapping' });
  }
  for (const [h, hv] of Object.entries(hostvars)) {
    if (hv !== null && !isPlainObject(hv)) problems.push({ path: ['_meta', 'hostvars', h], message: `expected a mapping of variables, found ${kind(hv)}` });
    else hosts[h] = splitVars(hv ?? {}, ['_meta', 'hostvars', h], problems);
  }

  for (const [g, raw] of Object.entries(json)) {
    if (g === '_meta') continue;
    const at: PathSeg[] = [g];
    const group = Array.isArray(raw) ? { hosts: raw } : raw;
    if (!isPlainObject(group)) {
      problems.push({ path: at, message: `expected a group (a list of hosts, or a mapping of hosts, children, vars), found ${kind(raw)}` });
      continue;
    }
    for (const k of Object.keys(group)) {
      if (!['hosts', 'children', 'vars'].includes(k)) problems.push({ path: [...at, k], message: `unknown key '${k}' for group ${g}: expected hosts, children or vars` });
    }
    const members = names(group.hosts, Array.isArray(raw) ? at : [...at, 'hosts'], problems);
    const vars = group.vars ?? {};
    if (!isPlainObject(vars)) problems.push({ path: [...at, 'vars'], message: `expected a mapping of variables, found ${kind(vars)}` });
    const split = isPlainObject(vars) ? splitVars(vars, [...at, 'vars'], problems) : {};
    if (g === 'all') {
      // every group is a child of all: its children say nothing keel needs
      for (const h of members) hosts[h] ??= null;
      const { vars: allVars, ...conn } = split;
      doc.vars = allVars;
      doc.defaults = conn;
      continue;
    }
    const children = names(group.children, [...at, 'children'], problems).filter((c) => c !== 'all');
    groups[g] = { ...split, hosts: members, children };
  }
  // a child named but never described is an empty group, as in Ansible
  for (const g of Object.values(groups)) for (const c of g.children as string[]) groups[c] ??= { hosts: [], children: [] };
  return { doc, problems };
}

/** Ansible variables -> keel connection settings plus `vars` (the rest). */
function splitVars(vars: Vars, at: PathSeg[], problems: AnsibleProblem[]): Vars {
  const out: Vars = {};
  const rest: Vars = {};
  for (const [k, v] of Object.entries(vars)) {
    const setting = CONNECTION_VARS[k];
    if (!setting) {
      rest[k] = v;
      continue;
    }
    const value = settingValue(setting, v);
    if (value === undefined) problems.push({ path: [...at, k], message: `expected ${EXPECTED[setting]}, found ${kind(v)} ${JSON.stringify(v)}` });
    else out[setting] = value;
  }
  return { ...out, vars: rest };
}

const EXPECTED = {
  address: 'a string',
  user: 'a string',
  identity: 'a string',
  become_user: 'a string',
  port: 'a port number (1-65535)',
  connection: "'ssh' (or smart, paramiko) or 'local'",
  become: 'a boolean',
} as const;

function settingValue(setting: keyof typeof EXPECTED, v: unknown): unknown {
  switch (setting) {
    case 'port': {
      const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
      return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535 ? n : undefined;
    }
    case 'connection':
      return v === 'local' ? 'local' : ['ssh', 'smart', 'paramiko'].includes(v as string) ? 'ssh' : undefined;
    case 'become': {
      const s = typeof v === 'string' ? v.toLowerCase() : v;
      return [true, 'yes', 'true', 'on', '1'].includes(s as string) ? true : [false, 'no', 'false', 'off', '0'].includes(s as string) ? false : undefined;
    }
    default:
      return typeof v === 'string' && v !== '' ? v : undefined;
  }
}

/** A list of host or group names; anything else is a problem. */
function names(v: unknown, at: PathSeg[], problems: AnsibleProblem[]): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    problems.push({ path: at, message: `expected a list of names, found ${kind(v)}` });
    return [];
  }
  v.forEach((x, i) => typeof x !== 'string' && problems.push({ path: [...at, i], message: `expected a name (string), found ${kind(x)}` }));
  return v.filter((x): x is string => typeof x === 'string');
}

function kind(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a mapping' : `a ${typeof v}`;
}

/** Where a path of the translated document was in the Ansible output (for error messages). */
export function ansiblePath(path: PathSeg[]): PathSeg[] {
  const ansibleName = (setting: PathSeg) => Object.keys(CONNECTION_VARS).find((k) => CONNECTION_VARS[k] === setting) ?? setting;
  const [top, name, key, ...rest] = path;
  if (top === 'vars') return ['all', 'vars', ...path.slice(1)];
  if (top === 'defaults') return name === undefined ? ['all', 'vars'] : ['all', 'vars', ansibleName(name)];
  if (top === 'hosts' && name !== undefined) {
    const at = ['_meta', 'hostvars', name];
    if (key === undefined) return at;
    return key === 'vars' ? [...at, ...rest] : [...at, ansibleName(key)];
  }
  if (top === 'groups' && name !== undefined) {
    if (key === undefined || ['hosts', 'children', 'vars'].includes(String(key))) return [name, ...path.slice(2)];
    return [name, 'vars', ansibleName(key)];
  }
  return path;
}
