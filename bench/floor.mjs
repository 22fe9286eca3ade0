// The floor (bench/compare.ts runs it): one Node process, one ssh2 connection per host (host key
// checked against the lab's known_hosts), one exec of the hand-written probe script on each,
// all hosts at once. Usage: node bench/floor.mjs CONFIG.json (hosts, identity, knownHosts, script).
import { readFileSync } from 'node:fs';
import { Client } from 'ssh2';

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const key = readFileSync(cfg.identity);
const script = readFileSync(cfg.script, 'utf8');
const known = new Map();
for (const line of readFileSync(cfg.knownHosts, 'utf8').split('\n')) {
  const [names, , b64] = line.split(' ');
  if (b64) for (const n of names.split(',')) known.set(n, Buffer.from(b64, 'base64'));
}

function probe(address) {
  return new Promise((resolve, reject) => {
    const c = new Client();
    c.on('ready', () =>
      c.exec(script, (err, stream) => {
        if (err) return reject(err);
        let bytes = 0;
        stream.on('data', (b) => (bytes += b.length)).stderr.resume();
        stream.on('close', (code) => {
          c.end();
          if (code !== 0) reject(new Error(`${address}: probe exited ${code}`));
          else resolve(bytes);
        });
      }),
    )
      .on('error', reject)
      .connect({
        host: address,
        username: 'root',
        privateKey: key,
        hostVerifier: (k) => known.get(address)?.equals(k) === true,
      });
  });
}

const bytes = await Promise.all(cfg.hosts.map(probe));
process.stdout.write(`${JSON.stringify({ hosts: bytes.length, bytes: bytes.reduce((a, b) => a + b, 0) })}\n`);
