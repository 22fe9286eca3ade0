import { describe, expect, it } from 'vitest';
import type { HostState } from '../drift/history-backend.js';
import type { EpisodeView, HistoryView } from '../drift/history-query.js';
import { esc } from './html.js';
import { episodesPage, hostPage, hostsPage, noHistoryPage, unknownHostPage } from './pages.js';

const now = new Date('2026-03-01T12:00:00.000Z');
const shell = { title: 't', location: '/srv/.keel/history.db' };
const state = (host: string, over: Partial<HostState> = {}): HostState => ({
  host, status: 'in-sync', drifted: 0, openEpisodes: 0, at: '2026-03-01T11:30:00.000Z', driftedSince: null, failingSince: null, error: null, ...over,
});
const drifted = state('web1', { status: 'drift', drifted: 2, openEpisodes: 2, driftedSince: '2026-03-01T09:00:00.000Z' });
const failing = state('db1', { status: 'unreachable', failingSince: '2026-02-28T12:00:00.000Z', error: 'ssh: connect ECONNREFUSED 10.0.0.5:22' });
const episode = (over: Partial<EpisodeView> = {}): EpisodeView => ({
  host: 'web1', resource: 'file:/etc/motd', type: 'file', name: '/etc/motd', status: 'open', firstSeen: '2026-03-01T09:00:00.000Z', lastSeen: '2026-03-01T11:30:00.000Z',
  resolvedAt: null, resolution: null, durationSeconds: 10_800, seenRuns: 3, lastAction: 'update', lastChanges: [{ field: 'mode', from: '0644', to: '0600' }],
  lastDiff: '--- /etc/motd\n+++ /etc/motd\n@@ -1 +1 @@\n-welcome\n+hello from web1\n', ...over,
});
const view = (over: Partial<HistoryView> = {}): HistoryView => ({ episodes: [], incidents: [], runs: [], ...over });
/** The text a reader sees: tags dropped, entities decoded. */
const text = (page: string) => page.replace(/<style>[^]*?<\/style>/, '').replace(/<[^>]+>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&').trim();
const body = (page: string) => page.slice(page.indexOf('<main>'));

describe('esc', () => {
  it('escapes markup, quotes, and the control and bidi characters that hide or reorder text', () => {
    expect(esc(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(esc('a\u001b[2Jb\u202ec')).toBe('a\\e[2Jb\\u202ec');
    expect(esc('line 1\nline 2')).toBe('line 1\nline 2');
  });
});

describe('the hosts page', () => {
  it('counts the hosts and says of each: in sync, drifted since, failing since with the error', () => {
    const page = hostsPage(shell, [failing, state('app1'), drifted], now);
    const t = text(page);
    expect(t).toMatch(/3hosts.*1in sync.*1drifted.*1failing.*2open episodes/s);
    expect(t).toContain('web1drifted since 2026-03-01 09:00:00Z (3h ago): 2 resources');
    expect(t).toContain('db1unreachable since 2026-02-28 12:00:00Z (1d ago)ssh: connect ECONNREFUSED 10.0.0.5:22');
    expect(t).toContain('app1in sync');
    expect(page).toContain('<a href="/hosts/web1">web1</a>');
    expect(page).not.toContain('http-equiv="refresh"');
  });

  it('a failed host with drift still open says both', () => {
    const t = text(hostsPage(shell, [state('db1', { status: 'failed', failingSince: '2026-03-01T11:00:00.000Z', error: 'probe failed', openEpisodes: 1 })], now));
    expect(t).toContain('failing since 2026-03-01 11:00:00Z (1h ago)probe failed1 open drift episode from before');
  });

  it('escapes every value from the history: host names, errors, the location', () => {
    const evil = '<img src=x onerror=alert(1)>';
    const page = hostsPage({ ...shell, location: `/tmp/${evil}` }, [state(`h"${evil}`, { status: 'failed', failingSince: now.toISOString(), error: `${evil}\u001b[31m` })], now);
    expect(page).not.toContain('<img');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;\\e[31m');
    expect(page).toContain(`href="/hosts/h%22%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E"`);
  });

  it('with no host yet, says so; ?refresh adds the reload', () => {
    const page = hostsPage({ ...shell, refresh: 30 }, [], now);
    expect(text(page)).toMatch(/0hosts.*No host recorded in this history yet/s);
    expect(page).toContain('<meta http-equiv="refresh" content="30">');
  });

  it('before the history file exists, the page says where it will be', () => {
    expect(text(body(noHistoryPage(shell)))).toBe('No drift history yetThere is no history at /srv/.keel/history.db yet. keel drift creates it with its first run; this page shows it from then on.');
  });
});

describe('the open drift page', () => {
  it('shows each open episode with its changes and its diff as stored, escaped', () => {
    const page = episodesPage(shell, view({ episodes: [episode({ lastDiff: '--- a\n+++ b\n@@ -1 +1 @@\n-x\n+<script>alert(1)</script>\n' }), episode({ status: 'resolved', resource: 'pkg:gone' })] }), now);
    expect(page).not.toContain('<script>');
    const t = text(body(page));
    expect(t).toContain('Open drift (1)');
    expect(t).toContain('web1 · file:/etc/motd');
    expect(t).toContain('drifted since 2026-03-01 09:00:00Z (3h ago); seen by 3 runs');
    expect(t).toContain('mode: "0644" → "0600"');
    expect(t).toContain('--- a\n+++ b\n@@ -1 +1 @@\n-x\n+<script>alert(1)</script>');
    expect(t).not.toContain('pkg:gone');
    expect(page).toContain('<span class="add">+&lt;script&gt;alert(1)&lt;/script&gt;</span>');
  });

  it('a redacted diff is shown as the history stored it', () => {
    const t = text(episodesPage(shell, view({ episodes: [episode({ lastChanges: [{ field: 'content', from: '(sensitive)', to: '(sensitive)' }], lastDiff: null })] }), now));
    expect(t).toContain('content: "(sensitive)" → "(sensitive)"');
  });

  it('with none open, says every host was in sync', () => {
    expect(text(body(episodesPage(shell, view(), now)))).toBe('Open drift (0)No open drift: every host planned was in sync at its last run.');
  });
});

describe('a host page', () => {
  it('has the state, open drift with diffs, fixed drift, failures and runs', () => {
    const v = view({
      episodes: [episode(), episode({ resource: 'pkg:nginx', status: 'resolved', resolvedAt: '2026-03-01T10:00:00.000Z', resolution: 'fixed', durationSeconds: 3600, lastDiff: null })],
      incidents: [{ host: 'web1', status: 'failed', error: 'apt lock', firstSeen: '2026-02-27T12:00:00.000Z', lastSeen: '2026-02-27T12:00:00.000Z', resolvedAt: '2026-02-27T13:00:00.000Z' }],
      runs: [{ id: 7, startedAt: '2026-03-01T11:30:00.000Z', durationMs: 2500, inventory: '/i', limit: null, tags: null, exitCode: 2, hosts: 3, drifted: 1, failed: 0, unreachable: 0, alertError: null }],
    });
    const t = text(body(hostPage(shell, 'web1', drifted, v, now)));
    expect(t).toContain('drifted since 2026-03-01 09:00:00Z (3h ago): 2 resources');
    expect(t).toContain('Open drift (1)file:/etc/motd');
    expect(t).toContain('+hello from web1');
    expect(t).toContain('Drift fixed (1)');
    expect(t).toMatch(/pkg:nginx.*1h.*fixed/);
    expect(t).toMatch(/failed2026-02-27 12:00:00Z \(2d ago\)2026-02-27 13:00:00Z \(1d23h ago\)apt lock/);
    expect(t).toContain('72026-03-01 11:30:00Z (30m ago)2.5sdrift310');
  });

  it('an unknown host', () => {
    expect(text(body(unknownHostPage(shell, '<x>')))).toContain('This history has no run of a host named <x>.');
  });
});
