/**
 * Alert delivery: a webhook POST (timeout, one retry on a network error or a 5xx/429) and a
 * command hook fed the JSON on stdin. Failures are returned as messages for the caller to log
 * and record; they never throw, so an alert problem cannot change a drift run's exit code.
 */
import { spawn } from 'node:child_process';
import type { Alert } from './alerts.js';

export interface DeliveryTargets {
  webhook?: { url: string; timeoutMs?: number };
  command?: string;
}

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;
export const COMMAND_TIMEOUT_MS = 60_000;
const RETRY_DELAY_MS = 1_000;

/** Deliver to every configured target; returns one message per failure ([] when all worked). */
export async function deliverAlert(alert: Alert, targets: DeliveryTargets): Promise<string[]> {
  const body = JSON.stringify(alert);
  const failures: string[] = [];
  await Promise.all([
    targets.webhook && postWebhook(targets.webhook.url, body, targets.webhook.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS).then((e) => e && failures.push(`webhook ${redactUrl(targets.webhook!.url)}: ${e}`)),
    targets.command && runHook(targets.command, body).then((e) => e && failures.push(`command hook: ${e}`)),
  ]);
  return failures;
}

/** undefined on success (2xx), else why it failed after the retry. */
export async function postWebhook(url: string, body: string, timeoutMs: number): Promise<string | undefined> {
  let last = '';
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'keel-drift' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return undefined;
      last = `HTTP ${res.status} ${res.statusText}`.trim();
      if (res.status < 500 && res.status !== 429) return last; // the request itself is wrong: retrying will not help
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      last = err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (err.cause?.code ?? err.cause?.message ?? err.message);
    }
    if (attempt === 1) await new Promise((r) => setTimeout(r, RETRY_DELAY_MS));
  }
  return `${last} (after 2 attempts)`;
}

/** Run `sh -c command` with the alert on stdin; undefined when it exits 0. */
export function runHook(command: string, body: string, timeoutMs = COMMAND_TIMEOUT_MS): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], { stdio: ['pipe', 'ignore', 'pipe'], env: { ...process.env, KEEL_ALERT: '1' } });
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve(e.message);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString().trim().split('\n').slice(-3).join(' | ');
      if (code === 0) resolve(undefined);
      else resolve(`${signal ? `killed by ${signal}${signal === 'SIGKILL' ? ` (timeout ${timeoutMs} ms)` : ''}` : `exit ${code}`}${stderr ? `: ${stderr}` : ''}`);
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(body);
  });
}

/** Webhook URLs often carry a token (Slack, Teams): never print more than scheme://host/. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return '(invalid url)';
  }
}
