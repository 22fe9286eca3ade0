/** The facts snippet (runs first inside the probe batch) and its pure parser. */
import type { Facts } from './types.js';

export const FACTS_SNIPPET = `
ID=; VERSION_ID=; VERSION_CODENAME=
[ -r /etc/os-release ] && . /etc/os-release
echo "hostname=$(hostname 2>/dev/null || cat /etc/hostname 2>/dev/null)"
echo "os_id=$ID"
echo "os_version=$VERSION_ID"
echo "os_codename=$VERSION_CODENAME"
echo "arch=$(uname -m)"
echo "kernel=$(uname -r)"
if [ -d /run/systemd/system ]; then echo init=systemd; else echo init=other; fi
if command -v apt-get >/dev/null 2>&1; then echo pkg=apt; elif command -v dnf >/dev/null 2>&1; then echo pkg=dnf; else echo pkg=none; fi
echo "user=$(id -un)"
echo "uid=$(id -u)"
`;

export function parseFacts(text: string): Facts {
  const kv = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) kv.set(line.slice(0, eq), line.slice(eq + 1).trim());
  }
  const pkg = kv.get('pkg');
  return {
    hostname: kv.get('hostname') ?? '',
    osId: kv.get('os_id') ?? '',
    osVersion: kv.get('os_version') ?? '',
    osCodename: kv.get('os_codename') ?? '',
    arch: kv.get('arch') ?? '',
    kernel: kv.get('kernel') ?? '',
    init: kv.get('init') === 'systemd' ? 'systemd' : 'other',
    pkgManager: pkg === 'apt' || pkg === 'dnf' ? pkg : 'none',
    user: kv.get('user') ?? '',
    uid: Number(kv.get('uid') ?? -1),
  };
}
