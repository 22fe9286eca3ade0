/** A real HTTP webhook and a UDP StatsD listener on loopback, for the drift tests. */
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { REPO } from '../helpers/keel.js';

export interface Webhook {
  url: string;
  bodies: any[];
  close(): Promise<void>;
}

export async function startWebhook(): Promise<Webhook> {
  const bodies: any[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push({ method: req.method, contentType: req.headers['content-type'], ...JSON.parse(Buffer.concat(chunks).toString()) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/hook/secret-token`, bodies, close: () => new Promise((r) => server.close(() => r())) };
}

export interface StatsdListener {
  address: string;
  packets: string[];
  close(): void;
}

export async function startStatsd(): Promise<StatsdListener> {
  const packets: string[] = [];
  const sock: Socket = createSocket('udp4');
  sock.on('message', (m) => packets.push(m.toString()));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  return { address: `127.0.0.1:${sock.address().port}`, packets, close: () => sock.close() };
}

const ajv = new Ajv({ allErrors: true, strict: true });
ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
export const validateAlert = ajv.compile(JSON.parse(readFileSync(join(REPO, 'docs', 'alert.schema.json'), 'utf8')));

/** Poll `check` every `everyMs` until it returns a value, or fail after `timeoutMs` saying what was awaited. */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs: number, everyMs = 1000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
