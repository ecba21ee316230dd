// The Stripe App's OAuth client: the only holder of the App secret and the only code allowed to send
// non-GET requests to Stripe — and then only to the token and deauthorize endpoints (guarded-http-client).
import Stripe from 'stripe';
import { apiTarget } from './client.js';
import { GuardedHttpClient } from './guarded-http-client.js';

export interface OAuthApp {
  clientId: string;
  clientSecret: string;
}

export interface OAuthTokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
  stripeAccountId: string;
  livemode: boolean;
}

export interface StripeOAuthClient {
  authorizeUrl(state: string, redirectUri: string): string;
  exchangeCode(code: string, now: Date): Promise<OAuthTokens>;
  refresh(refreshToken: string, now: Date): Promise<OAuthTokens>;
  deauthorize(stripeAccountId: string): Promise<void>;
}

interface TokenResponse {
  access_token?: unknown;
  refresh_token?: unknown;
  expires_in?: unknown;
  stripe_user_id?: unknown;
  livemode?: unknown;
}

function toTokens(body: TokenResponse, now: Date): OAuthTokens {
  if (typeof body.access_token !== 'string' || typeof body.refresh_token !== 'string' || typeof body.stripe_user_id !== 'string') {
    throw new Error('Stripe returned an incomplete token response');
  }
  const ttl = typeof body.expires_in === 'number' ? body.expires_in : 3600;
  return {
    accessToken: body.access_token,
    refreshToken: body.refresh_token,
    expiresAt: new Date(now.getTime() + ttl * 1000),
    stripeAccountId: body.stripe_user_id,
    livemode: body.livemode === true,
  };
}

export function createStripeOAuthClient(app: OAuthApp, apiBase?: string): StripeOAuthClient {
  const target = apiTarget(apiBase);
  const sdk = new Stripe(app.clientSecret, {
    host: target.host,
    port: target.port,
    protocol: target.protocol,
    httpClient: new GuardedHttpClient({ policy: 'oauth' }),
    maxNetworkRetries: 0,
    telemetry: false,
  });
  // Stripe Apps install through the marketplace; the emulator serves the same consent page itself.
  const authorizeBase = apiBase ? `${apiBase.replace(/\/$/, '')}/oauth/v2/authorize` : 'https://marketplace.stripe.com/oauth/v2/authorize';
  const post = async (path: string, params: Record<string, string>): Promise<TokenResponse> =>
    (await sdk.rawRequest('POST', path, params)) as TokenResponse;
  return {
    authorizeUrl(state, redirectUri) {
      const url = new URL(authorizeBase);
      url.searchParams.set('client_id', app.clientId);
      url.searchParams.set('redirect_uri', redirectUri);
      url.searchParams.set('state', state);
      return url.toString();
    },
    async exchangeCode(code, now) {
      return toTokens(await post('/v1/oauth/token', { grant_type: 'authorization_code', code }), now);
    },
    async refresh(refreshToken, now) {
      return toTokens(await post('/v1/oauth/token', { grant_type: 'refresh_token', refresh_token: refreshToken }), now);
    },
    async deauthorize(stripeAccountId) {
      await post('/v1/oauth/deauthorize', { client_id: app.clientId, stripe_user_id: stripeAccountId });
    },
  };
}
