import { link, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runProbe } from '../test-helpers.js';
import { attrsScript, contentDiff, desiredContent, fileProbe, normalizeMode, parentDirs, parseFileProbe, planFile } from './index.js';

describe('shared file helpers', () => {
  it('normalises modes', () => {
    expect(['644', '0644', '4755', '04755', '1777'].map(normalizeMode)).toEqual(['0644', '0644', '4755', '4755', '1777']);
  });

  it('lists parent directories nearest first', () => {
    expect(parentDirs('/a/b/c')).toEqual(['/a/b', '/a']);
    expect(parentDirs('/a')).toEqual([]);
  });

  it('diffs text with git-style headers and marks a missing final newline', () => {
    const d = contentDiff('/etc/x', Buffer.from('a\n'), 'h', desiredContent('a\nb'));
    expect(d).toBe('--- a/etc/x\n+++ b/etc/x\n@@ -1,1 +1,2 @@\n a\n+b\n\\ No newline at end of file\n');
  });

  it('quotes every value in chmod/chown scripts, owner before mode (chown clears setuid bits)', () => {
    expect(attrsScript("/tmp/it's", { mode: '0644', group: 'www data' })).toBe(
      "chgrp 'www data' -- '/tmp/it'\\''s' && chmod 0644 -- '/tmp/it'\\''s'",
    );
    expect(attrsScript('/x', { mode: '4755', owner: 'app' })).toBe('chown app -- /x && chmod 4755 -- /x');
    expect(attrsScript('/x', { owner: 'app', group: 'app' })).toBe('chown app:app -- /x');
  });

  it('sends contents on demand and survives hostile file names', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'keel-shared-'));
    try {
      const path = join(dir, "it's $(touch pwned) `x`\nnewline");
      await writeFile(path, 'same\n');
      const out = await runProbe(fileProbe(path, { sendContent: true }));
      const cur = parseFileProbe(path, out);
      expect(cur.content?.toString()).toBe('same\n');
      expect(cur.type).toBe('file');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('warns in the plan when a replace would split hard links', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'keel-shared-'));
    try {
      const path = join(dir, 'bin');
      await writeFile(path, 'old\n');
      await link(path, join(dir, 'other-name'));
      const want = { path, state: 'present' as const, content: desiredContent('new\n') };
      const cur = parseFileProbe(path, await runProbe(fileProbe(path, { hash: true, wantSha256: want.content.sha256 })));
      expect(cur.links).toBe(2);
      expect(planFile(want, cur).warnings).toEqual([`replacing ${path} splits its hard links: 1 other name of the file will keep the old contents`]);
      // only a mode change: nothing is replaced, nothing to warn about
      expect(planFile({ ...want, content: desiredContent('old\n'), mode: '0600' }, cur).warnings).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('warns in the plan when a replace would drop file capabilities (getcap as the probe prints it)', () => {
    const caps = Buffer.from('cap_net_bind_service,cap_net_raw=ep').toString('base64');
    const cur = parseFileProbe('/usr/bin/ping', { code: 0, text: `type=file\nmeta=755 0 0 root root\nsize=4\nlinks=1\ncaps=${caps}\nsha256=aa\n` });
    expect(cur.caps).toBe('cap_net_bind_service,cap_net_raw=ep');
    expect(planFile({ path: '/usr/bin/ping', state: 'present', content: desiredContent('new\n') }, cur).warnings).toEqual([
      'replacing /usr/bin/ping drops its file capabilities (cap_net_bind_service,cap_net_raw=ep): set them again after (setcap)',
    ]);
  });
});
