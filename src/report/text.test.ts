import { describe, expect, it } from 'vitest';
import { renderText } from './text.js';
import type { RunReport } from './types.js';

const HOSTILE = 'title\u001b]0;owned\u0007 clear\u001b[2J cr\rover bel\u0007 c1\u009b31m bidi\u202eevil\u202c';

function report(): RunReport {
  return {
    command: 'plan',
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 10,
    hosts: [
      {
        host: 'web1',
        status: 'failed',
        error: `probe failed: ${HOSTILE}`,
        durationMs: 10,
        resources: [
          {
            id: `file:/srv/${HOSTILE}`,
            type: 'file',
            name: `/srv/${HOSTILE}`,
            source: 'states/main.yaml:2',
            action: 'update',
            changes: [{ field: 'owner', from: `a\u009bb\u202e`, to: 'root' }],
            diff: `--- a/srv/x\n+++ b/srv/x\n@@ -1 +1 @@\n-${HOSTILE}\n+fine\n`,
            status: 'failed',
            note: `note ${HOSTILE}`,
            warnings: [`replacing /srv/${HOSTILE} splits its hard links`],
            error: `stderr: ${HOSTILE}`,
          },
        ],
        summary: { ok: 0, changed: 1, failed: 1, skipped: 0, uncertain: 0 },
      },
    ],
    summary: { hosts: 1, drifted: 1, changed: 0, failed: 1, unreachable: 0 },
  };
}

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('renderText with host bytes', () => {
  it('prints no control character or bidi override from the report, only their escapes', () => {
    const text = renderText(report(), { color: false });
    expect(text).not.toMatch(CONTROL);
    expect(text).toContain('-title\\e]0;owned\\x07 clear\\e[2J cr\\rover bel\\x07 c1\\x9b31m bidi\\u202eevil\\u202c');
    expect(text).toContain('~ file:/srv/title\\e]0;owned');
    expect(text).toContain('owner: "a\\x9bb\\u202e" -> "root"');
    expect(text).toContain('stderr: title\\e]0;owned');
    expect(text).toContain('note title\\e]0;owned');
    expect(text).toContain('      warning: replacing /srv/title\\e]0;owned');
    expect(text).toContain('probe failed: title\\e]0;owned');
  });

  it('with colours, the only ESC bytes are its own colour codes', () => {
    const text = renderText(report(), { color: true });
    expect(text.replace(/\u001b\[[0-9;]*m/g, '')).not.toMatch(CONTROL);
  });
});

describe('renderText of refreshes', () => {
  const base = { type: 'service', name: 'nginx', source: 'states/nginx.yaml:12', changes: [] };
  const host = (command: RunReport['command'], r: RunReport['hosts'][number]['resources'][number]): RunReport => ({
    command,
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 10,
    hosts: [{ host: 'web1', status: command === 'plan' ? 'drift' : 'changed', durationMs: 10, resources: [r], summary: { ok: 0, changed: 1, failed: 0, skipped: 0, uncertain: 0 } }],
    summary: { hosts: 1, drifted: 1, changed: 0, failed: 0, unreachable: 0 },
  });

  it('plan: a resource in sync that will be refreshed is an update that says what and why', () => {
    const refresh = { action: 'reload', because: ['template:/etc/nginx/sites-enabled/app.conf'] };
    const text = renderText(host('plan', { ...base, id: 'service:nginx', action: 'none', status: 'planned', refresh }), { color: false });
    expect(text).toContain('  ~ service:nginx  states/nginx.yaml:12 (will reload: template:/etc/nginx/sites-enabled/app.conf changes)\n');
    const two = { action: 'run', because: ['file:/a', 'file:/b'] };
    expect(renderText(host('plan', { ...base, id: 'command:h', action: 'none', status: 'planned', refresh: two }), { color: false })).toContain('(will run: file:/a, file:/b change)');
  });

  it('converge: refreshed, with what ran and after which changes', () => {
    const refresh = { action: 'restart', because: ['systemd_unit:app.service'] };
    const text = renderText(host('converge', { ...base, id: 'service:app', action: 'none', status: 'changed', refreshed: true, refresh }), { color: false });
    expect(text).toContain('  ~ service:app  states/nginx.yaml:12 (refreshed: restart after systemd_unit:app.service changed) [changed]\n');
  });
});
