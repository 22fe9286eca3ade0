/**
 * A real git smart-HTTP server for lab tests: Node's http server on the lab bridge runs the
 * controller's `git http-backend` as a CGI, behind basic auth. `onRequest` runs before each
 * request is answered, while the host's git is waiting for it (e.g. to read the host's ps).
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GitHttpServer {
  /** http://10.199.0.1:PORT (no credentials) */
  base: string;
  /** Requests seen, and how many carried the right credentials. */
  requests: { path: string; authorized: boolean }[];
  close(): Promise<void>;
}

/** Everything git http-backend wrote: CGI headers, a blank line, the body. */
function answer(res: ServerResponse, out: Buffer): void {
  let cut = out.indexOf('\r\n\r\n');
  let sep = 4;
  if (cut < 0) [cut, sep] = [out.indexOf('\n\n'), 2];
  const headers: Record<string, string> = {};
  let status = 200;
  for (const line of out.subarray(0, cut).toString('latin1').split(/\r?\n/)) {
    const i = line.indexOf(':');
    const [k, v] = [line.slice(0, i).trim(), line.slice(i + 1).trim()];
    if (k.toLowerCase() === 'status') status = Number(v.split(' ')[0]);
    else headers[k] = v;
  }
  res.writeHead(status, headers).end(out.subarray(cut + sep));
}

export async function startGitHttpServer(opts: {
  projectRoot: string;
  username: string;
  password: string;
  address: string;
  onRequest?: () => Promise<void>;
}): Promise<GitHttpServer> {
  const requests: GitHttpServer['requests'] = [];
  const expected = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://server');
    const authorized = req.headers.authorization === expected;
    requests.push({ path: url.pathname, authorized });
    await opts.onRequest?.();
    if (!authorized) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="keel-lab"' }).end();
      return;
    }
    const h = (name: string) => (req.headers[name] as string | undefined) ?? '';
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      GIT_PROJECT_ROOT: opts.projectRoot,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: url.pathname,
      QUERY_STRING: url.search.slice(1),
      REQUEST_METHOD: req.method ?? 'GET',
      CONTENT_TYPE: h('content-type'),
      HTTP_CONTENT_ENCODING: h('content-encoding'),
      HTTP_GIT_PROTOCOL: h('git-protocol'),
      REMOTE_USER: opts.username,
      REMOTE_ADDR: req.socket.remoteAddress ?? '',
    };
    if (req.headers['content-length']) env.CONTENT_LENGTH = h('content-length');
    const cgi = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'inherit'] });
    const out: Buffer[] = [];
    cgi.stdout.on('data', (b: Buffer) => out.push(b));
    req.pipe(cgi.stdin);
    await new Promise<void>((resolve) => cgi.on('close', () => resolve()));
    answer(res, Buffer.concat(out));
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((e: Error) => res.writeHead(500).end(e.message));
  });
  await new Promise<void>((resolve) => server.listen(0, opts.address, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://${opts.address}:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
