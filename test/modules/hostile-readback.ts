/**
 * Read back, in one SSH round trip, the bytes a hostile-values run left on a host. Names and
 * contents travel base64-encoded and are decoded here, so nothing is lost to a terminal, a
 * locale or the ssh channel. The script is the test's own and uses none of keel's quoting.
 */
import type { LabTestHost } from '../lab/global-setup.js';
import { onHost } from './module-lab.js';

export interface HostBytes {
  /** Keyed by the hex of the name's bytes. */
  files: Map<string, Buffer>;
  lines: Map<string, Buffer>;
  outputs: Map<string, Buffer>;
  dirs: Set<string>;
  crontab: Buffer;
  passwd: Map<string, Buffer>;
  /** Canary files found anywhere a stray command could have created them. */
  canaries: string[];
}

const b64 = (s: string) => Buffer.from(s, 'base64');

export async function readBack(host: LabTestHost, dir: string, cronUser: string, users: string[], canary: string, root: string): Promise<HostBytes> {
  const entries = (sub: string, type: string) =>
    `echo "@${sub}"; find ${dir}/${sub} -mindepth 1 -maxdepth 1 -type ${type} -exec sh -c 'for f do printf "%s" "\${f##*/}" | base64 -w0; printf " "; if [ -f "$f" ]; then base64 -w0 < "$f"; fi; echo; done' sh {} +`;
  const script = [
    entries('f', 'f'),
    entries('l', 'f'),
    entries('o', 'f'),
    entries('c', 'd'),
    `echo "@crontab"; crontab -l -u ${cronUser} | base64 -w0; echo`,
    `echo "@passwd"; for u in ${users.map((u) => `'${u}'`).join(' ')}; do printf '%s ' "$u"; getent passwd "$u" | base64 -w0; echo; done`,
    `echo "@canaries"; { find /tmp /root ${root} -name '${canary}*'; find / -maxdepth 1 -name '${canary}*'; } 2>/dev/null | base64 -w0; echo`,
  ].join('\n');
  const out = await onHost(host, script);
  const sections = new Map<string, string[]>();
  let cur: string[] = [];
  for (const line of out.split('\n')) {
    if (line.startsWith('@')) sections.set(line.slice(1), (cur = []));
    else if (line !== '') cur.push(line);
  }
  const byName = (s: string, key = (k: string) => b64(k).toString('hex')) =>
    new Map((sections.get(s) ?? []).map((l) => {
      const [k, v = ''] = l.split(' ');
      return [key(k), b64(v)] as [string, Buffer];
    }));
  const outputs = new Map([...byName('o', (k) => b64(k).toString('utf8'))]);
  return {
    files: byName('f'),
    lines: byName('l'),
    outputs,
    dirs: new Set(byName('c').keys()),
    crontab: b64(sections.get('crontab')?.[0] ?? ''),
    passwd: byName('passwd', (k) => k),
    canaries: b64(sections.get('canaries')?.[0] ?? '').toString('utf8').split('\n').filter(Boolean),
  };
}
