// When and how long to wait before retrying a Stripe request: 429s, 5xx and dropped connections, with
// exponential backoff and full jitter, honouring Retry-After and Stripe-Should-Retry.

export interface RetryPolicy {
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 8, baseDelayMs: 100, maxDelayMs: 8_000 };

const RETRYABLE_NETWORK = new Set(['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ECONNABORTED', 'UND_ERR_SOCKET']);

export function isRetryableStatus(status: number, shouldRetryHeader: string | undefined): boolean {
  if (shouldRetryHeader === 'false') return false;
  if (shouldRetryHeader === 'true') return true;
  return status === 429 || status >= 500;
}

export function isRetryableNetworkError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && RETRYABLE_NETWORK.has(code)) return true;
  // Node reports a socket closed mid-response as "socket hang up" (ECONNRESET) or an aborted response.
  return error instanceof Error && /socket hang up|aborted|ECONNRESET/i.test(error.message);
}

/** Delay before retry number `attempt` (0-based), at least what Retry-After asks for. */
export function retryDelayMs(policy: RetryPolicy, attempt: number, retryAfterHeader?: string, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  // Half fixed, half jitter: concurrent workers that failed together do not retry together.
  const backoff = ceiling / 2 + random() * (ceiling / 2);
  const retryAfter = retryAfterHeader !== undefined && /^\d+(\.\d+)?$/.test(retryAfterHeader) ? Number(retryAfterHeader) * 1000 : 0;
  return Math.max(backoff, Math.min(retryAfter, 60_000));
}
