/**
 * `keel serve`'s HTTP side on fastify: read-only GET routes that query the history and send a
 * page from src/serve/pages.ts. With a token, every route but `/healthz` wants
 * `Authorization: Bearer <token>`. Nothing here writes to the history.
 */
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { History } from '../drift/history-backend.js';
import { metricsSnapshot, prometheusText } from '../drift/metrics.js';
import { isKeelError } from '../errors.js';
import { bearerMatches } from './auth.js';
import type { HistorySource } from './history-source.js';
import { episodesPage, errorPage, hostPage, hostsPage, noHistoryPage, unknownHostPage } from './pages.js';

export interface ServeOptions {
  source: HistorySource;
  /** When set, the bearer token every route but /healthz wants. */
  token?: string;
  /** The clock of "3h ago" (tests fix it). */
  now?: () => Date;
}

// a page shows host data: no script, no frame, nothing from elsewhere, not kept in a cache
const HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/** A host name as a glob that matches only itself (`*`, `?`, `[` in brackets). */
const exactGlob = (name: string) => name.replace(/[*?[]/g, '[$&]');

/** `?refresh=N`: reload every N seconds (5 to 3600), else not. */
const refreshOf = (q: unknown) => {
  const n = Number((q as { refresh?: string }).refresh);
  return Number.isInteger(n) && n >= 5 && n <= 3600 ? n : 0;
};

/** Before the first run, the last-run gauges have no sample (a zero would read as "in sync at 1970"). */
const NO_RUN = { startedAt: '', durationMs: 0, exitCode: 0 };

/** `/metrics`: the families of `keel drift --metrics-file`, from the history as it is now. */
export async function metricsText(history: History | undefined): Promise<string> {
  const last = history && (await history.query({ runs: 1 })).runs[0];
  const text = prometheusText(history ? await metricsSnapshot(history, last ?? NO_RUN) : { hosts: [], lastRun: NO_RUN, counters: new Map() });
  return last ? text : text.replace(/^keel_drift_last_run_\w+ .*\n/gm, '');
}

export function buildServer(opts: ServeOptions): FastifyInstance {
  // a browser's spare keep-alive socket would hold close() open: SIGTERM ends every connection
  const app = Fastify({ logger: false, forceCloseConnections: true });
  const now = opts.now ?? (() => new Date());
  const shell = (title: string, refresh = 0) => ({ title, location: opts.source.location, refresh });
  const send = (reply: FastifyReply, code: number, page: string) => reply.code(code).type('text/html; charset=utf-8').send(page);

  app.addHook('onRequest', async (req, reply) => {
    reply.headers(HEADERS);
    if (opts.token && req.url !== '/healthz' && !bearerMatches(req.headers.authorization, opts.token)) {
      return reply.code(401).header('www-authenticate', 'Bearer realm="keel"').type('text/plain; charset=utf-8').send('401: this dashboard wants Authorization: Bearer <token>\n');
    }
  });
  app.setErrorHandler((e: Error & { statusCode?: number }, _req, reply) => send(reply, e.statusCode ?? 500, errorPage(shell('error'), isKeelError(e) ? e.format() : e.message)));
  app.setNotFoundHandler((req, reply) => send(reply, 404, errorPage(shell('not found'), `no page at ${req.url}`)));

  app.get('/healthz', async (_req, reply) => reply.type('text/plain; charset=utf-8').send('ok\n'));

  app.get('/', async (req, reply) => {
    const history = await opts.source.get();
    const refresh = refreshOf(req.query);
    if (!history) return send(reply, 200, noHistoryPage(shell('hosts', refresh)));
    return send(reply, 200, hostsPage(shell('hosts', refresh), await history.hosts(), now()));
  });

  app.get('/episodes', async (_req, reply) => {
    const history = await opts.source.get();
    if (!history) return send(reply, 200, noHistoryPage(shell('open drift')));
    return send(reply, 200, episodesPage(shell('open drift'), await history.query({ open: true, runs: 0 }, now()), now()));
  });

  app.get<{ Params: { name: string } }>('/hosts/:name', async (req, reply) => {
    const name = req.params.name;
    const history = await opts.source.get();
    if (!history) return send(reply, 404, noHistoryPage(shell(name)));
    const [hosts, view] = await Promise.all([history.hosts(), history.query({ host: exactGlob(name), runs: 20 }, now())]);
    const state = hosts.find((h) => h.host === name);
    const mine = { ...view, episodes: view.episodes.filter((e) => e.host === name), incidents: view.incidents.filter((i) => i.host === name) };
    if (!state && !mine.episodes.length && !mine.incidents.length) return send(reply, 404, unknownHostPage(shell(name), name));
    return send(reply, 200, hostPage(shell(name), name, state, mine, now()));
  });

  app.get('/metrics', async (_req, reply) => reply.type('text/plain; version=0.0.4; charset=utf-8').send(await metricsText(await opts.source.get())));

  return app;
}
