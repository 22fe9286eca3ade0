import { describe, expect, it } from 'vitest';
import { checkCronExpression, cronEntryName, cronJobLine, cronToOnCalendar, driftArgv, looksLikeCron, systemdQuote, systemdUnits, type DriftInvocation } from './schedule.js';
import { systemdProblem } from './install.js';
import { checkSchedule, splitJobLine } from '../../modules/cron/crontab.js';
import { existsSync } from 'node:fs';

const INV: DriftInvocation = {
  node: '/usr/bin/node',
  execArgv: ['--import', 'file:///opt/keel/node_modules/tsx/dist/esm/index.mjs', '--inspect=9229'],
  script: '/opt/keel/src/cli/main.ts',
  inventory: '/srv/ops/inventory.yaml',
  stateDir: '/srv/ops/.keel',
  limit: 'web:!web2',
  tags: 'nginx',
  vars: ["motd=it's 100%"],
  forks: 5,
  lockTimeout: 60,
};

describe('cron expressions (croner)', () => {
  it('accepts 5 fields and nicknames, normalising spaces', () => {
    expect(checkCronExpression(' */30  * * * * ', '--install-cron')).toBe('*/30 * * * *');
    expect(checkCronExpression('@hourly', '--install-cron')).toBe('@hourly');
    expect(checkCronExpression('*/10 * * * * *', '--every', { allowSeconds: true })).toBe('*/10 * * * * *');
  });
  it.each([
    ['* * *', 'expected 5 fields, got 3'],
    ['*/10 * * * * *', 'expected 5 fields, got 6'],
    ['61 * * * *', 'minute'],
    ['* * * 13 *', 'month'],
    ['@reboot', 'unknown nickname @reboot'],
  ])('refuses %j saying what is wrong', (expr, why) => {
    expect(() => checkCronExpression(expr, '--install-cron')).toThrow(`--install-cron ${JSON.stringify(expr)}: `);
    expect(() => checkCronExpression(expr, '--install-cron')).toThrow(why);
  });
});

describe('the scheduled command', () => {
  it('repeats inventory, limit, tags, vars, forks and state dir with absolute paths, no debugger flag', () => {
    expect(driftArgv(INV)).toEqual([
      '/usr/bin/node', '--import', 'file:///opt/keel/node_modules/tsx/dist/esm/index.mjs', '/opt/keel/src/cli/main.ts', 'drift',
      '-i', '/srv/ops/inventory.yaml', '-l', 'web:!web2', '-t', 'nginx', '--var', "motd=it's 100%", '--forks', '5',
      '--state-dir', '/srv/ops/.keel', '--lock-timeout', '60',
    ]);
  });

  it('is one crontab line: quoted, % escaped, logging to the state dir, valid for the cron module', () => {
    const line = cronJobLine(INV);
    expect(line).toBe(
      "umask 077 && mkdir -p /srv/ops/.keel && /usr/bin/node --import file:///opt/keel/node_modules/tsx/dist/esm/index.mjs /opt/keel/src/cli/main.ts drift " +
        "-i /srv/ops/inventory.yaml -l 'web:!web2' -t nginx --var 'motd=it'\\''s 100\\%' --forks 5 --state-dir /srv/ops/.keel --lock-timeout 60 " +
        '>>/srv/ops/.keel/drift-cron.log 2>&1',
    );
    expect(line).not.toMatch(/[\r\n]/);
    expect(line.replace(/\\%/g, '')).not.toContain('%');
    expect(checkSchedule('*/30 * * * *').ok).toBe(true);
    expect(splitJobLine(`*/30 * * * * ${line}`).job).toBe(line);
  });

  it('names the entry by inventory, limit and tags', () => {
    expect(cronEntryName(INV)).toBe('drift /srv/ops/inventory.yaml -l web:!web2 -t nginx');
    expect(cronEntryName({ inventory: '/i.yaml' })).toBe('drift /i.yaml');
  });
});

describe('systemd timer', () => {
  it.each([
    ['*/30 * * * *', '*-*-* *:00/30:00'],
    ['0 3 * * *', '*-*-* 03:00:00'],
    ['15,45 8-18 * * 1-5', 'Mon..Fri *-*-* 08..18:15,45:00'],
    ['0 6 1 jan *', '*-01-01 06:00:00'],
    ['0 */2 * * sun', 'Sun *-*-* 00/2:00:00'],
    ['@daily', 'daily'],
    ['@hourly', 'hourly'],
  ])('translates cron %j to OnCalendar %j', (cron, cal) => expect(cronToOnCalendar(cron)).toBe(cal));

  it.each([
    ['0 0 1 * 1', 'day-of-month OR day-of-week'],
    ['0 8-18/2 * * *', 'step on a range'],
  ])('refuses to translate %j', (cron, why) => expect(() => cronToOnCalendar(cron)).toThrow(why));

  it('tells a cron expression from an OnCalendar one', () => {
    expect(looksLikeCron('*/30 * * * *')).toBe(true);
    expect(looksLikeCron('@daily')).toBe(true);
    expect(looksLikeCron('*-*-* *:0/30')).toBe(false);
    expect(looksLikeCron('Mon..Fri *-*-* 09:00:00')).toBe(false);
  });

  it('writes a oneshot service (drift exit 2 is success) and a persistent timer', () => {
    const u = systemdUnits(INV, '*-*-* *:0/30', 'ops');
    expect(u.name).toMatch(/^keel-drift-[0-9a-f]{8}$/);
    expect(u.service).toContain('\n[Service]\nType=oneshot\nUser=ops\nExecStart=/usr/bin/node --import file:///opt/keel/node_modules/tsx/dist/esm/index.mjs /opt/keel/src/cli/main.ts drift -i /srv/ops/inventory.yaml -l "web:!web2" -t nginx --var "motd=it\'s 100%%" --forks 5 --state-dir /srv/ops/.keel --lock-timeout 60\nSuccessExitStatus=2\n');
    expect(u.timer).toBe(`[Unit]\nDescription=keel drift check of /srv/ops/inventory.yaml -l web:!web2, on a schedule\n\n[Timer]\nOnCalendar=*-*-* *:0/30\nPersistent=true\nUnit=${u.name}.service\n\n[Install]\nWantedBy=timers.target\n`);
    expect(systemdUnits(INV, 'daily').name).toBe(u.name);
  });

  it('quotes ExecStart words and escapes specifiers', () => {
    expect(systemdQuote('a b')).toBe('"a b"');
    expect(systemdQuote('$HOME%i')).toBe('"$$HOME%%i"');
    expect(systemdQuote('say "hi"')).toBe('"say \\"hi\\""');
  });

  it.skipIf(existsSync('/run/systemd/system'))('says clearly that systemd is not running here', () => {
    expect(systemdProblem()).toMatch(/^systemd is not running on this machine \(PID 1 is ".+"\): use --install-cron, or --every/);
  });
});

describe('values that would break the one-line schedule', () => {
  const evil = { ...INV, vars: ['motd=hi\nExecStartPre=/bin/touch /tmp/pwned'] };
  it.each([
    ['driftArgv', () => driftArgv(evil)],
    ['cronJobLine', () => cronJobLine(evil)],
    ['systemdUnits', () => systemdUnits(evil, 'daily')],
  ])('%s refuses a --var with a line break, naming the variable but not its value', (_name, make) => {
    expect(make).toThrow('cannot schedule this run: the value of --var motd contains a line break');
    expect(make).not.toThrow('pwned');
  });
  it('refuses a control character in a limit too', () => {
    expect(() => cronJobLine({ ...INV, limit: 'web\r* * * * * evil' })).toThrow('the value of -l contains');
  });
});
