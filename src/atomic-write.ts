/**
 * How keel writes a file on the controller (timer units, metrics; anything but SQLite's own
 * files and the lock, which is itself an O_EXCL create): an exclusive temp file with a random
 * name in the target's directory (O_EXCL | O_NOFOLLOW, so a file or symlink planted at a guessed
 * name is never followed or reused) gets the bytes and the mode, then is renamed over the target.
 * A reader never sees half a file, and a failed write leaves the old one and no temp file.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fchmodSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const EXCLUSIVE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** Write `data` to `path` atomically with `mode` (default 0600: owner only). */
export function writeFileAtomic(path: string, data: string | Buffer, mode = 0o600): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  // a leading dot and a .tmp suffix: collectors of *.prom (node_exporter) and units skip it
  const tmp = join(dir, `.${basename(path)}.${randomBytes(8).toString('hex')}.tmp`);
  const fd = openSync(tmp, EXCLUSIVE, mode);
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
    fchmodSync(fd, mode); // the umask may have cut bits the caller asked for
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
  } catch (e) {
    try {
      closeSync(fd);
    } catch {
      /* already closed */
    }
    rmSync(tmp, { force: true });
    throw e;
  }
}
