/**
 * Names a tool would misread are refused at validate, each at its file:line: `su -` is root,
 * `-x` is an option, and a cron entry named "backup " is never found again (crontab trims it),
 * so a new one would be added on every run. NUL is refused in any value.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadErrors } from '../helpers/config-errors.js';
import { keel } from '../helpers/keel.js';
import { project } from '../engine/local-env.js';

const p = project({}, '');
afterAll(() => p.remove());

/** One resource per case; `line` is where its bad value is written (the resource starts at 2). */
const CASES: { what: string; resource: string; line: number; message: RegExp }[] = [
  { what: 'command user "-" (su: root)', resource: '- command: x\n    run: "true"\n    user: "-"', line: 4, message: /user: expected a user or group name/ },
  { what: 'command user with a leading dash', resource: '- command: x\n    run: "true"\n    user: "-c"', line: 4, message: /user: expected a user or group name/ },
  { what: 'command user with a trailing space', resource: '- command: x\n    run: "true"\n    user: "app "', line: 4, message: /user: expected/ },
  { what: 'cron name with a trailing space', resource: '- cron: "backup "\n    schedule: "@daily"\n    job: "true"', line: 2, message: /cron: expected one line with no whitespace at either end/ },
  { what: 'cron job starting with *', resource: '- cron: backup\n    schedule: "@daily"\n    job: "*"', line: 4, message: /job: expected one line that does not start with \*, with no backspace/ },
  { what: 'cron name with a leading space', resource: '- cron: " backup"\n    schedule: "@daily"\n    job: "true"', line: 2, message: /cron: expected one line/ },
  { what: 'file owner "-"', resource: '- file: /tmp/x\n    content: ""\n    owner: "-"', line: 4, message: /owner: expected a user or group name/ },
  { what: 'file group with a leading dash', resource: '- file: /tmp/x\n    content: ""\n    group: "-g"', line: 4, message: /group: expected a user or group name/ },
  { what: 'directory owner with a leading space', resource: '- directory: /tmp/d\n    owner: " root"', line: 3, message: /owner: expected/ },
  { what: 'line owner with a trailing space', resource: '- line: /tmp/l\n    text: a\n    create: true\n    owner: "root "', line: 5, message: /owner: expected/ },
  { what: 'git user "-"', resource: '- git: /srv/x\n    repo: /srv/r.git\n    user: "-"', line: 4, message: /user: expected/ },
  { what: 'user named with a leading dash', resource: '- user: "-o"', line: 2, message: /not a valid name/ },
  { what: 'user group "-"', resource: '- user: app\n    group: "-"', line: 3, message: /group: expected/ },
  { what: 'group named "-"', resource: '- group: "-"', line: 2, message: /not a valid name/ },
  { what: 'package with a leading dash (an apt option)', resource: '- pkg: "-y"', line: 2, message: /not a package name/ },
  { what: 'package with a trailing space', resource: '- pkg: "nginx "', line: 2, message: /not a package name/ },
  { what: 'service with a leading dash (a systemctl option)', resource: '- service: "--now"', line: 2, message: /not a systemd unit name/ },
  { what: 'systemd unit with a leading dash', resource: '- systemd_unit: "-x.service"\n    content: ""', line: 2, message: /systemd_unit/ },
  { what: 'database with a leading dash', resource: '- postgres_db: "-app"', line: 2, message: /postgres_db: expected a name that does not start with "-"/ },
  { what: 'database with a trailing space', resource: '- postgres_db: "app "', line: 2, message: /postgres_db: expected a name/ },
  { what: 'database owner with a leading dash', resource: '- postgres_db: app\n    owner: "-U"', line: 3, message: /owner: expected a name that does not start with "-"/ },
  { what: 'role with a leading dash', resource: '- postgres_role: "-r"', line: 2, message: /postgres_role: expected a name that does not start with "-"/ },
  { what: 'role with a leading tab', resource: '- postgres_role: "\\tapp"', line: 2, message: /postgres_role: expected a name/ },
  { what: 'NUL in a path', resource: '- file: "/tmp/a\\0b"\n    content: x', line: 2, message: /NUL character/ },
  { what: 'NUL in file content', resource: '- file: /tmp/n\n    content: "a\\0b"', line: 3, message: /NUL character/ },
  { what: 'NUL in a command env value', resource: '- command: e\n    run: "true"\n    env: {A: "x\\0"}', line: 4, message: /NUL character/ },
  { what: 'NUL in a mapping key', resource: '- command: e\n    run: "true"\n    env: {"A\\0": x}', line: 4, message: /NUL character/ },
];

function stateOf(resource: string): string {
  return `resources:\n  ${resource}\n`;
}

describe('names a tool would misread are refused at validate', () => {
  it.each(CASES)('$what', ({ what, resource, line, message }) => {
    const name = what.replace(/\W+/g, '-');
    const file = p.write(`states/${name}.yaml`, stateOf(resource));
    const inventory = p.write(`${name}.yaml`, `hosts:\n  h:\n    connection: local\n    states: [${name}]\n`);
    const errors = loadErrors(inventory);
    expect(errors.map((e) => e.format())).toHaveLength(1);
    expect(errors[0].pos?.file).toBe(file);
    expect(errors[0].pos?.line).toBe(line);
    expect(errors[0].message).toMatch(message);
  });

  it('the same names stay valid without the dash or the space', () => {
    const file = 'fine';
    p.write(
      `states/${file}.yaml`,
      stateOf(`- command: x
    run: "true"
    user: www-data
  - cron: backup job
    schedule: "@daily"
    job: "true"
  - file: /tmp/x
    content: "tab\\tok, dash - ok"
    owner: "1000"
    group: adm
  - postgres_db: my-app
    owner: app-owner
  - postgres_role: "app role"`),
    );
    const inventory = p.write(`${file}.yaml`, `hosts:\n  h:\n    connection: local\n    states: [${file}]\n`);
    expect(loadErrors(inventory).map((e) => e.format())).toEqual([]);
  });

  it('through the CLI: keel validate exits 1 with file:line and no stack trace', async () => {
    const name = 'cli-names';
    const file = p.write(`states/${name}.yaml`, stateOf('- command: x\n    run: "true"\n    user: "-"\n  - cron: "backup "\n    schedule: "@daily"\n    job: "true"'));
    const inventory = p.write(`${name}.yaml`, `hosts:\n  h:\n    connection: local\n    states: [${name}]\n`);
    const r = await keel(['validate', '-i', inventory]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}:4:11: resources[0].user: expected a user or group name`);
    expect(r.stderr).toContain(`${file}:5:11: resources[1].cron: expected one line with no whitespace at either end and no backspace, found "backup " (string)`);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
