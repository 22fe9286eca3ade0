/**
 * What a path's probe reports: its type, metadata and content hash, and the current contents
 * only when they differ from what is wanted (so that a diff can be shown). Shared by file,
 * directory, template, systemd_unit and line, all probed together (file-batch.ts).
 */
import { KeelError } from '../../src/errors.js';
import type { ProbeOutput, SharedProbe } from '../../src/module.js';
import { fileProbeRequest, type FileRequest } from './file-batch.js';
import { normalizeMode } from './mode.js';

/** Contents larger than this never travel back from the host: the plan shows hashes instead. */
export const MAX_DIFF_BYTES = 256 * 1024;

export type FileType = 'absent' | 'file' | 'dir' | 'link' | 'other';

export interface FileState {
  type: FileType;
  /** The path itself is a symbolic link (with `follow`, `type` describes its target). */
  isLink: boolean;
  /** Canonical 4-digit octal ("0644"). */
  mode?: string;
  owner?: string;
  uid?: number;
  group?: string;
  gid?: number;
  /** Size in bytes of the regular file (a link's target when the path is a link). */
  size?: number;
  /** Hex sha256 of the regular file's contents, when it could be read. */
  sha256?: string;
  /** False when the file exists but the probing user cannot read it. */
  readable: boolean;
  /** Current contents: only when they differ from the wanted hash and are small enough. */
  content?: Buffer;
  /** Where a symbolic link points. */
  linkTarget?: string;
  /** Directories probed with `checkEmpty`: has no entries. */
  empty?: boolean;
  /** Hard links of the regular file (probed with `hash`): a replace splits them when > 1. */
  links?: number;
  /** The regular file's capabilities as getcap prints them ("cap_net_bind_service=ep"). */
  caps?: string;
}

export interface FileProbeOptions {
  /** Compute the sha256 of a regular file. Default: true when `wantSha256` is given. */
  hash?: boolean;
  /** The hash of the wanted contents: current contents are printed only when they differ. */
  wantSha256?: string;
  /** Print the current contents (up to the size limit) whatever their hash: for `line`, which edits them. */
  sendContent?: boolean;
  /** Describe a symbolic link's target rather than the link (directory does, file does not). */
  follow?: boolean;
  /** For directories: report whether they are empty. */
  checkEmpty?: boolean;
  /** Print the current contents up to this size (default MAX_DIFF_BYTES). */
  maxContentBytes?: number;
}

/** The path's part of the host's shared file probe (see file-batch.ts); never fails, never writes. */
export function fileProbe(path: string, opts: FileProbeOptions = {}): SharedProbe<FileRequest> {
  const hash = opts.hash ?? (opts.wantSha256 !== undefined || opts.sendContent === true);
  const compare = opts.wantSha256 !== undefined || opts.sendContent === true;
  return fileProbeRequest({
    path,
    follow: opts.follow === true,
    hash,
    // An empty wanted hash never matches: contents always travel.
    want: compare ? (opts.sendContent ? '' : opts.wantSha256) : undefined,
    max: opts.maxContentBytes ?? MAX_DIFF_BYTES,
    checkEmpty: opts.checkEmpty === true,
  });
}

/** Pure: turn the snippet's output into a FileState. */
export function parseFileProbe(path: string, out: Pick<ProbeOutput, 'code' | 'text'> & { stderr?: Buffer }): FileState {
  const kv = new Map<string, string>();
  for (const line of out.text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) kv.set(line.slice(0, eq), line.slice(eq + 1));
  }
  const type = kv.get('type') as FileType | undefined;
  if (out.code !== 0 || !type || !['absent', 'file', 'dir', 'link', 'other'].includes(type)) {
    const err = out.stderr?.toString('utf8').trim();
    throw new KeelError('E_PROBE', `probe of ${path} failed (exit ${out.code})${err ? `: ${err}` : ''}`);
  }
  const state: FileState = { type, isLink: kv.get('link') === '1', readable: kv.get('readable') !== '0' };
  if (type === 'absent') return state;
  const meta = kv.get('meta')?.split(' ');
  if (meta && meta.length === 5) {
    state.mode = normalizeMode(meta[0]);
    state.uid = Number(meta[1]);
    state.gid = Number(meta[2]);
    state.owner = meta[3];
    state.group = meta[4];
  }
  if (kv.has('size')) state.size = Number(kv.get('size'));
  if (kv.get('links')) state.links = Number(kv.get('links'));
  if (kv.get('caps')) state.caps = Buffer.from(kv.get('caps')!, 'base64').toString('utf8');
  if (kv.get('sha256')) state.sha256 = kv.get('sha256');
  if (kv.has('content')) state.content = Buffer.from(kv.get('content')!, 'base64');
  if (kv.has('target')) state.linkTarget = Buffer.from(kv.get('target')!, 'base64').toString('utf8').replace(/\n$/, '');
  if (kv.has('empty')) state.empty = kv.get('empty') === '1';
  return state;
}
