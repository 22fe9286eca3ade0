/**
 * The single-path file probe as keel ran it before probes were batched (one subshell and several
 * processes per path): kept for tests only, as the reference the shared file probe must match
 * byte for byte on every path (test/engine/file-batch-local.test.ts).
 */
import { MAX_DIFF_BYTES, type FileProbeOptions } from '../../modules/shared/file-probe.js';
import { shq } from '../../src/shell.js';

/** The snippet prints `key=value` lines; it never fails and never writes. */
export function fileProbeSnippet(path: string, opts: FileProbeOptions = {}): string {
  const hash = opts.hash ?? (opts.wantSha256 !== undefined || opts.sendContent === true);
  const max = opts.maxContentBytes ?? MAX_DIFF_BYTES;
  const L = opts.follow ? ' -L' : '';
  const typeTests = opts.follow
    ? `if [ -d "$p" ]; then t=dir; elif [ -f "$p" ]; then t=file; elif [ -L "$p" ]; then t=link; elif [ -e "$p" ]; then t=other; else t=absent; fi`
    : `if [ -L "$p" ]; then t=link; elif [ -d "$p" ]; then t=dir; elif [ -f "$p" ]; then t=file; elif [ -e "$p" ]; then t=other; else t=absent; fi`;
  const lines = [
    `p=${shq(path)}`,
    typeTests,
    `echo "type=$t"`,
    `[ "$t" = absent ] && exit 0`,
    `if [ -L "$p" ]; then echo link=1; printf 'target=%s\\n' "$(readlink "$p" | base64 -w0)"; fi`,
    `printf 'meta=%s\\n' "$(stat${L} -c '%a %u %g %U %G' "$p" 2>/dev/null)"`,
  ];
  if (hash) {
    lines.push(
      `if [ -f "$p" ]; then`,
      `  printf 'size=%s\\n' "$(stat -L -c %s "$p" 2>/dev/null)"`,
      // what an atomic replace (a new inode renamed over the old) loses: the other hard links
      // and the security.capability xattr; getcap is optional (libcap2-bin)
      `  printf 'links=%s\\n' "$(stat -L -c %h "$p" 2>/dev/null)"`,
      `  if command -v getcap >/dev/null 2>&1; then c=$(getcap "$p" 2>/dev/null) || c=; if [ -n "$c" ]; then printf 'caps=%s\\n' "$(printf '%s' "\${c##* }" | base64 -w0)"; fi; fi`,
      `  h=$(sha256sum < "$p" 2>/dev/null) && h=\${h%% *} || h=`,
      `  if [ -n "$h" ]; then echo "sha256=$h"; else echo readable=0; fi`,
    );
    if (opts.wantSha256 !== undefined || opts.sendContent) {
      lines.push(
        // An empty wanted hash never matches: contents always travel.
        `  w=${shq(opts.sendContent ? '' : opts.wantSha256!)}`,
        `  if [ -n "$h" ] && [ "$h" != "$w" ] && [ "$(stat -L -c %s "$p")" -le ${max} ]; then`,
        `    printf 'content='; base64 -w0 < "$p"; echo`,
        `  fi`,
      );
    }
    lines.push(`fi`);
  }
  if (opts.checkEmpty) {
    lines.push(
      `if [ -d "$p" ]; then`,
      `  if ! ls -A "$p" >/dev/null 2>&1; then echo readable=0`,
      `  elif [ -z "$(ls -A "$p" | head -n 1)" ]; then echo empty=1; else echo empty=0; fi`,
      `fi`,
    );
  }
  lines.push(':');
  return lines.join('\n');
}

