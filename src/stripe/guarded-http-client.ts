// The lowest layer between Mowt and Stripe: the SDK's own Node HTTP client, wrapped so that
//   - the read-only policy refuses every non-GET request before a byte leaves the process;
//   - the OAuth policy allows only POSTs to the token and deauthorize endpoints (nothing else, no reads);
//   - every attempt waits for the connection's rate limiter, and 429/5xx/dropped connections are retried
//     with backoff and jitter (the SDK's own retries are switched off so each attempt is counted here).
import Stripe from 'stripe';
import type { RateLimiter } from './rate-limiter.js';
import { DEFAULT_RETRY, isRetryableNetworkError, isRetryableStatus, retryDelayMs, type RetryPolicy } from './retry-policy.js';

export type RequestPolicy = 'read-only' | 'oauth';

export class StripeWriteRefused extends Error {
  override name = 'StripeWriteRefused';
  constructor(method: string, path: string) {
    super(`refused ${method} ${path.split('?')[0] ?? ''}: Mowt only reads from Stripe`);
  }
}

/** Token exchange/refresh and deauthorisation: the only Stripe calls that are not reads. */
export const OAUTH_PATHS: readonly string[] = ['/v1/oauth/token', '/v1/oauth/deauthorize'];

export function isAllowed(policy: RequestPolicy, method: string, path: string): boolean {
  const bare = path.split('?')[0] ?? '';
  if (policy === 'read-only') return method.toUpperCase() === 'GET' && !bare.includes('/oauth/');
  return method.toUpperCase() === 'POST' && OAUTH_PATHS.includes(bare);
}

type Inner = ReturnType<typeof Stripe.createNodeHttpClient>;
type Response = Awaited<ReturnType<Inner['makeRequest']>>;

export interface GuardOptions {
  policy: RequestPolicy;
  limiter?: RateLimiter;
  retry?: RetryPolicy;
  /** Observes every attempt (tests, metrics). */
  onAttempt?: (info: { method: string; path: string; status: number | null; attempt: number }) => void;
  inner?: Inner;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class GuardedHttpClient extends Stripe.HttpClient {
  private readonly inner: Inner;
  constructor(private readonly opts: GuardOptions) {
    super();
    this.inner = opts.inner ?? Stripe.createNodeHttpClient();
  }

  override getClientName(): string {
    return `mowt-${this.opts.policy}`;
  }

  override async makeRequest(
    host: string, port: string, path: string, method: string,
    headers: Parameters<Inner['makeRequest']>[4], requestData: string, protocol: string, timeout: number,
  ): Promise<Response> {
    if (!isAllowed(this.opts.policy, method, path)) throw new StripeWriteRefused(method, path);
    const retry = this.opts.retry ?? DEFAULT_RETRY;
    for (let attempt = 0; ; attempt++) {
      await this.opts.limiter?.acquire(path);
      let response: Response;
      try {
        response = await this.inner.makeRequest(host, port, path, method, headers, requestData, protocol, timeout);
      } catch (error) {
        this.opts.onAttempt?.({ method, path, status: null, attempt });
        if (attempt >= retry.maxRetries || !isRetryableNetworkError(error)) throw error;
        await sleep(retryDelayMs(retry, attempt));
        continue;
      }
      const status = response.getStatusCode();
      this.opts.onAttempt?.({ method, path, status, attempt });
      const h = response.getHeaders() as Record<string, string | string[] | undefined>;
      const one = (name: string): string | undefined => {
        const v = h[name];
        return Array.isArray(v) ? v[0] : v;
      };
      if ((status === 429 || status >= 500) && attempt < retry.maxRetries && isRetryableStatus(status, one('stripe-should-retry'))) {
        // Read the body so the keep-alive socket is free for the retry.
        await Promise.resolve(response.toJSON()).catch(() => undefined);
        await sleep(retryDelayMs(retry, attempt, one('retry-after')));
        continue;
      }
      return response;
    }
  }
}
