// Bearer authentication as Stripe does it: test secret/restricted keys, or OAuth access tokens,
// optionally acting on a connected account via the Stripe-Account header.
import type { IncomingMessage } from 'node:http';
import { ApiError, errors } from '../http/errors.js';
import { OAuthTokens } from '../oauth/tokens.js';

export interface Caller {
  key: string;
  accountId: string;
}

const KEY_SHAPE = /^(sk|rk)_test_[A-Za-z0-9_]{8,}$/;

/** `sk_test_…abcd`: enough to tell keys apart in logs, never the whole secret. */
export function maskKey(key: string | undefined): string | null {
  if (!key) return null;
  const prefix = /^[a-z]+_(test|live)_/.exec(key)?.[0] ?? key.slice(0, 3);
  return `${prefix}…${key.slice(-4)}`;
}

export function bearerOf(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const bearer = /^Bearer\s+(.+)$/i.exec(header);
  if (bearer) return bearer[1]?.trim();
  const basic = /^Basic\s+(.+)$/i.exec(header);
  if (basic) return Buffer.from(basic[1] ?? '', 'base64').toString('utf8').split(':')[0];
  return undefined;
}

export interface AuthConfig {
  mainAccountId: string;
  /** When set, only these keys are valid; otherwise any well-formed test key is. */
  apiKeys: readonly string[] | null;
  revokedKeys: Set<string>;
  tokens: OAuthTokens;
  accountExists: (id: string) => boolean;
  connectedAccountIds: () => readonly string[];
}

export function authenticate(req: IncomingMessage, config: AuthConfig): Caller {
  const key = bearerOf(req);
  if (!key) throw errors.noKey();
  const shown = maskKey(key) ?? '';
  let accountId: string;
  if (OAuthTokens.isAccessToken(key)) {
    const result = config.tokens.check(key);
    if (result === 'invalid') throw errors.invalidKey(shown);
    if (result === 'expired') throw errors.expiredToken();
    accountId = result.accountId;
  } else {
    const known = config.apiKeys ? config.apiKeys.includes(key) : KEY_SHAPE.test(key);
    if (!known || config.revokedKeys.has(key)) throw errors.invalidKey(shown);
    accountId = config.mainAccountId;
  }
  const header = req.headers['stripe-account'];
  const requested = Array.isArray(header) ? header[0] : header;
  if (requested && requested !== accountId) {
    // Only the platform's own keys may act on connected accounts; an OAuth token is bound to one account.
    const allowed = !OAuthTokens.isAccessToken(key) && accountId === config.mainAccountId && config.accountExists(requested);
    if (!allowed) throw errors.noAccountAccess(requested);
    accountId = requested;
  }
  return { key, accountId };
}

export { ApiError };
