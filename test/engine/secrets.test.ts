/** Values of sensitive_vars never appear in what keel shows: diffs, changes, errors, JSON, logs. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keel } from '../helpers/keel.js';
import { project } from './local-env.js';
import { runLocal } from './run-local.js';

const SECRET = 'hunter2-very-secret';

describe('sensitive_vars', () => {
  const p = project(
    {
      app: `resources:
  - file: "{{ root }}/app.env"
    content: "DB_PASSWORD={{ db_password }}\\nDB_HOST=db1\\n"
  - command: fails
    run: "echo 'could not log in with {{ db_password }}' >&2; exit 1"
    creates: "{{ root }}/never"
`,
    },
    `vars:\n  db_password: ${SECRET}\nsensitive_vars: [db_password]\nhosts:\n  localhost:\n    connection: local\n    states: [app]\n`,
  );

  it('are redacted from the diff, the JSON report and a failing command error, but written for real', async () => {
    const plan = await runLocal('plan', p.inventory, { vars: [`root=${p.root}`] });
    expect(plan.text).toContain('+DB_PASSWORD=(sensitive)');
    expect(JSON.stringify(plan.report)).not.toContain(SECRET);

    const conv = await runLocal('converge', p.inventory, { vars: [`root=${p.root}`] });
    const json = JSON.stringify(conv.report);
    expect(json).not.toContain(SECRET);
    expect(json).toContain('could not log in with (sensitive)');
    expect(readFileSync(`${p.root}/app.env`, 'utf8')).toBe(`DB_PASSWORD=${SECRET}\nDB_HOST=db1\n`);
  });

  it('are redacted from debug logs of the CLI', async () => {
    const res = await keel(['converge', ...p.args, '--log-level', 'debug']);
    expect(res.code).toBe(1);
    expect(res.stdout + res.stderr).not.toContain(SECRET);
    expect(res.stderr).toContain('(sensitive)');
  });
});

describe('sensitive_vars in errors about the configuration', () => {
  it('a schema error that quotes the value shows (sensitive) instead', async () => {
    const q = project(
      { bad: `resources:\n  - file: "{{ root }}/x"\n    mode: "{{ db_password }}"\n` },
      `vars:\n  db_password: "0640secret"\nsensitive_vars: [db_password]\nhosts:\n  localhost:\n    connection: local\n    states: [bad]\n`,
    );
    const res = await keel(['plan', ...q.args]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('mode');
    expect(res.stderr).not.toContain('0640secret');
  });

  it('keel validate quotes no secret either: a when, a loop, a mode', async () => {
    const q = project(
      {
        bad: `resources:
  - file: "{{ root }}/a"
    when: "db_password"
  - file: "{{ root }}/b"
    mode: "{{ db_password }}"
  - file: "{{ root }}/c-{{ item.name }}"
    loop: "{{ users }}"
`,
      },
      `vars:\n  root: /tmp\n  db_password: "0640secret"\n  users: [{name: app, password: Hunter2secret}, {name: app, password: Hunter2secret}]\nsensitive_vars: [db_password, users]\nhosts:\n  localhost:\n    connection: local\n    states: [bad]\n`,
    );
    const res = await keel(['validate', '-i', q.inventory]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/when: the condition must be true or false, it gave "\(sensitive\)"/);
    expect(res.stderr).toMatch(/mode/);
    expect(res.stderr).toMatch(/same id/);
    expect(res.stderr).not.toMatch(/0640secret|Hunter2secret/);
  });
});

describe('sensitive_vars that name no variable', () => {
  it('is an error at the entry, with the closest variable name', async () => {
    const q = project({ app: `resources: []\n` }, `vars:\n  db_password: ${SECRET}\nsensitive_vars:\n  - db_password\n  - db_pasword\nhosts:\n  localhost:\n    connection: local\n    states: [app]\n`);
    const res = await keel(['validate', '-i', q.inventory]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`${q.inventory}:5:5: sensitive_vars: no variable named "db_pasword"; did you mean 'db_password'?`);
    expect(res.stderr).not.toContain(SECRET);
  });

  it('accepts a name given only with --var', async () => {
    const q = project({ app: `resources: []\n` }, `sensitive_vars: [token]\nhosts:\n  localhost:\n    connection: local\n    states: [app]\n`);
    expect((await keel(['validate', '-i', q.inventory])).code).toBe(1);
    expect((await keel(['validate', '-i', q.inventory, '--var', 'token=abcdefgh'])).code).toBe(0);
  });
});

describe('a secret in a resource name', () => {
  const q = project(
    { app: `resources:\n  - file: "{{ root }}/ok"\n    content: x\n  - file: "{{ root }}/{{ db_password }}.conf"\n    content: x\n` },
    `vars:\n  db_password: "it's-${SECRET}"\nsensitive_vars: [db_password]\nhosts:\n  localhost:\n    connection: local\n    states: [app]\n`,
  );
  it.each([['plan'], ['graph']])('is refused by %s with file:line, never shown', async (cmd) => {
    const res = await keel([cmd, ...q.args, '--log-level', 'trace']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`states/app.yaml:4:5: resource file:${q.root}/(sensitive).conf: the name of this file resource contains the value of a sensitive variable`);
    expect(res.stdout + res.stderr).not.toContain(SECRET);
  });
});

describe('a schedule and sensitive --var values', () => {
  it('refuses to store one in a unit file, naming the variable, writing nothing', async () => {
    const q = project({ app: `resources: []\n` }, `sensitive_vars: [db_password]\nhosts:\n  localhost:\n    connection: local\n    states: [app]\n`);
    const units = join(q.dir, 'units');
    const res = await keel(['drift', '-i', q.inventory, '--systemd-timer', 'daily', '--unit-dir', units, '--var', `db_password=${SECRET}`]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('--var db_password: the value of a sensitive variable would be stored in the crontab entry or unit file');
    expect(res.stderr).not.toContain(SECRET);
    expect(existsSync(units)).toBe(false);
  });
});
