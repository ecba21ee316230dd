// The HTTP server: routes /v1 (Stripe API, read-only), /oauth (Stripe App OAuth) and /_emulator (admin).
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { authenticate, bearerOf, maskKey } from './api/auth.js';
import { FaultInjector } from './api/faults.js';
import { RateLimiter } from './api/rate-limit.js';
import { RequestLog } from './api/request-log.js';
import { handleV1Get } from './api/v1-handler.js';
import { handleAdmin } from './admin/routes.js';
import { BillingAccount, handleBilling } from './billing/index.js';
import { ApiError, errors } from './http/errors.js';
import { parseParams } from './http/params.js';
import { sendError, sendJson } from './http/respond.js';
import { handleOAuth } from './oauth/routes.js';
import type { OAuthTokens } from './oauth/tokens.js';
import type { Accounts } from './store/accounts.js';
import type { Clock } from './store/clock.js';
import type { Webhooks } from './webhooks/endpoints.js';

export interface ServerContext {
  accounts: Accounts;
  clock: Clock;
  log: RequestLog;
  tokens: OAuthTokens;
  webhooks: Webhooks;
  limiter: RateLimiter;
  faults: FaultInjector;
  apiKeys: readonly string[] | null;
  revokedKeys: Set<string>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL, ctx: ServerContext): Promise<number | 'reset'> {
  const method = req.method ?? 'GET';
  const fault = ctx.faults.next();
  if (ctx.faults.latencyMs > 0) await sleep(ctx.faults.latencyMs);
  if (fault === 'reset') {
    req.socket.destroy();
    return 'reset';
  }
  try {
    if (fault === '500') throw errors.injected500();
    if (fault === '429') throw errors.rateLimited();
    const caller = authenticate(req, {
      mainAccountId: ctx.accounts.mainId, apiKeys: ctx.apiKeys, revokedKeys: ctx.revokedKeys, tokens: ctx.tokens,
      accountExists: (id) => ctx.accounts.exists(id), connectedAccountIds: () => ctx.accounts.specs.map((s) => s.id),
    });
    if (!ctx.limiter.allow(caller.accountId)) throw errors.rateLimited();
    // Read-only: whatever the key, nothing may change through the API (as for a read-only restricted key).
    if (method !== 'GET' && method !== 'HEAD') throw errors.readOnly(maskKey(caller.key) ?? '', caller.accountId);
    const segments = url.pathname.split('/').filter(Boolean).slice(1).map(decodeURIComponent);
    const body = handleV1Get(segments, parseParams(url.searchParams), ctx.accounts.store(caller.accountId), ctx.accounts);
    sendJson(res, 200, body);
    return 200;
  } catch (error) {
    const apiError = error instanceof ApiError ? error : new ApiError(500, 'api_error', `Emulator error: ${(error as Error).message}`);
    // Like Stripe, only 429s from lock/rate limits are flagged retryable; 500s are, too.
    const retry: Record<string, string> = apiError.status === 429 || apiError.status >= 500 ? { 'stripe-should-retry': 'true' } : {};
    sendError(res, apiError, retry);
    return apiError.status;
  }
}

export function createEmulatorServer(ctx: ServerContext): Server {
  // Mowt's own billing account (sk_test_billing_… keys, hosted pages): emulator/billing/.
  const billing = new BillingAccount(() => ctx.clock.now());
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://emulator.local');
    const path = url.pathname;
    const record = (status: number | 'reset' | null): void => {
      ctx.log.add({
        method: req.method ?? 'GET', path, query: url.search, key: maskKey(bearerOf(req)), stripeAccount: header(req, 'stripe-account'),
        status: typeof status === 'number' ? status : null, outcome: status === 'reset' ? 'connection reset' : 'answered', time: new Date(ctx.clock.now() * 1000).toISOString(),
      });
    };
    const run = async (): Promise<void> => {
      if (await handleBilling(req, res, url, billing)) return record(res.statusCode);
      if (path.startsWith('/_emulator/')) return handleAdmin(req, res, url, ctx);
      if (path.startsWith('/oauth/') || path.startsWith('/v1/oauth/')) {
        await handleOAuth(req, res, url, ctx.tokens, ctx.accounts);
        return record(res.statusCode);
      }
      if (path.startsWith('/v1/')) return record(await handleApi(req, res, url, ctx));
      sendError(res, errors.unknownRoute(req.method ?? 'GET', path));
      record(404);
    };
    run().catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { type: 'api_error', message: (error as Error).message } });
      else res.destroy();
    });
  });
}
