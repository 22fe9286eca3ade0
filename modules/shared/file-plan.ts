/**
 * Pure planning of a managed file: state, contents (with a diff) and metadata. Reused by every
 * module that owns a whole file (file, template, systemd_unit): they differ only in where the
 * wanted contents come from.
 */
import { KeelError } from '../../src/errors.js';
import type { Change, Plan } from '../../src/module.js';
import { contentDiff, type DesiredContent } from './content.js';
import type { FileState } from './file-probe.js';
import { normalizeMode } from './mode.js';

export interface DesiredAttrs {
  /** Octal mode in any accepted form; unset: left as is. */
  mode?: string;
  /** User name or numeric uid; unset: left as is. */
  owner?: string;
  /** Group name or numeric gid; unset: left as is. */
  group?: string;
}

export interface DesiredFile extends DesiredAttrs {
  path: string;
  state: 'present' | 'absent';
  /** Unset: contents are not managed (a missing file is created empty). */
  content?: DesiredContent;
  /** Mode of a newly created file when `mode` is unset. Default "0644". */
  defaultMode?: string;
  /** Keep `path.keel-bak-<timestamp>.<random>` before overwriting an existing file. */
  backup?: boolean;
}

export type FileSteps =
  | { op: 'put'; path: string; content: Buffer; mode: string; owner?: string; group?: string; backup: boolean }
  | { op: 'attrs'; path: string; mode?: string; owner?: string; group?: string }
  | { op: 'remove'; path: string };

/** A name matches by name, a number by id. */
export function principalMatches(want: string, name: string | undefined, id: number | undefined): boolean {
  return /^\d+$/.test(want) ? Number(want) === id : want === name;
}

/** Field changes of mode/owner/group between what is wanted and what exists. */
export function attrChanges(want: DesiredAttrs, cur: FileState): Change[] {
  const changes: Change[] = [];
  if (want.mode !== undefined && (cur.mode === undefined || normalizeMode(want.mode) !== cur.mode)) {
    changes.push({ field: 'mode', from: cur.mode ?? null, to: normalizeMode(want.mode) });
  }
  if (want.owner !== undefined && !principalMatches(want.owner, cur.owner, cur.uid)) {
    changes.push({ field: 'owner', from: cur.owner ?? null, to: want.owner });
  }
  if (want.group !== undefined && !principalMatches(want.group, cur.group, cur.gid)) {
    changes.push({ field: 'group', from: cur.group ?? null, to: want.group });
  }
  return changes;
}

function conflict(path: string, what: string): KeelError {
  return new KeelError('E_CONFLICT', `${path} ${what}; keel will not replace it with a file`, {
    hint: 'remove it first, or manage it with the matching module',
  });
}

/** What the rename of a new inode over `path` loses, for the plan to say before it happens. */
export function replaceWarnings(path: string, cur: FileState): string[] {
  const out: string[] = [];
  if (cur.links !== undefined && cur.links > 1) {
    const others = cur.links - 1;
    out.push(`replacing ${path} splits its hard links: ${others} other name${others === 1 ? '' : 's'} of the file will keep the old contents`);
  }
  if (cur.caps) out.push(`replacing ${path} drops its file capabilities (${cur.caps}): set them again after (setcap)`);
  return out;
}

export function planFile(want: DesiredFile, cur: FileState): Plan<FileSteps> {
  const { path } = want;
  if (cur.type === 'dir') throw conflict(path, 'is a directory');
  if (want.state === 'absent') {
    if (cur.type === 'absent') return { action: 'none', changes: [] };
    return {
      action: 'delete',
      changes: [{ field: 'state', from: 'present', to: 'absent' }],
      steps: { op: 'remove', path },
    };
  }
  if (cur.type === 'other') throw conflict(path, 'is a special file (fifo, socket or device)');
  const mode = normalizeMode(want.mode ?? want.defaultMode ?? '0644');

  if (cur.type === 'absent') {
    const changes: Change[] = [{ field: 'state', from: 'absent', to: 'present' }, { field: 'mode', from: null, to: mode }];
    if (want.owner !== undefined) changes.push({ field: 'owner', from: null, to: want.owner });
    if (want.group !== undefined) changes.push({ field: 'group', from: null, to: want.group });
    const content = want.content?.bytes ?? Buffer.alloc(0);
    return {
      action: 'create',
      changes,
      diff: want.content && contentDiff(path, null, undefined, want.content),
      steps: { op: 'put', path, content, mode, owner: want.owner, group: want.group, backup: false },
    };
  }

  if (want.content && cur.type === 'file' && !cur.readable) {
    throw new KeelError('E_PROBE', `cannot read ${path} to compare its contents`, {
      hint: 'probe as a user who can read it (become: true)',
    });
  }
  const isLink = cur.type === 'link';
  if (isLink && !want.content) throw conflict(path, `is a symbolic link to ${cur.linkTarget ?? '?'} and no content is set`);
  const changes: Change[] = [];
  if (isLink) changes.push({ field: 'type', from: `link -> ${cur.linkTarget ?? '?'}`, to: 'file' });
  const contentDiffers = want.content !== undefined && cur.sha256 !== want.content.sha256;
  let diff: string | undefined;
  if (want.content && contentDiffers) {
    changes.push({ field: 'content', from: cur.sha256 ? `sha256:${cur.sha256}` : null, to: `sha256:${want.content.sha256}` });
    // A link to nothing (or to a directory) has no contents: diff from /dev/null.
    const current = cur.sha256 ? cur.content : isLink ? null : undefined;
    diff = contentDiff(path, current, cur.sha256, want.content);
  }
  // A link is replaced by a new file: its own metadata means nothing, so only wanted values count.
  const attrs = isLink
    ? attrChanges(want, { type: 'absent', isLink: false, readable: true })
    : attrChanges(want, cur);
  changes.push(...attrs);
  if (changes.length === 0) return { action: 'none', changes: [] };

  if (want.content && (isLink || contentDiffers)) {
    // The put renames a new inode into place: carry over whatever metadata is not managed.
    const warnings = isLink ? [] : replaceWarnings(path, cur);
    return {
      action: 'update',
      changes,
      diff,
      ...(warnings.length ? { warnings } : {}),
      steps: {
        op: 'put',
        path,
        content: want.content.bytes,
        mode: isLink ? mode : normalizeMode(want.mode ?? cur.mode ?? mode),
        owner: want.owner ?? (isLink || cur.uid === undefined ? undefined : String(cur.uid)),
        group: want.group ?? (isLink || cur.gid === undefined ? undefined : String(cur.gid)),
        backup: want.backup === true,
      },
    };
  }
  const step: FileSteps = { op: 'attrs', path };
  for (const c of attrs) step[c.field as 'mode' | 'owner' | 'group'] = c.to as string;
  return { action: 'update', changes, steps: step };
}
