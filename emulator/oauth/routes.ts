// OAuth endpoints of the emulated Stripe App: consent page, approval, token exchange/refresh, deauthorize.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, errors } from '../http/errors.js';
import { bodyFields, readBody, redirect, sendHtml, sendJson } from '../http/respond.js';
import type { Accounts } from '../store/accounts.js';
import { bearerOf } from '../api/auth.js';
import type { OAuthTokens } from './tokens.js';

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function oauthError(res: ServerResponse, status: number, error: string, description: string): void {
  sendJson(res, status, { error, error_description: description });
}

function consentPage(query: URLSearchParams, accounts: Accounts, clientId: string): string {
  const hidden = ['client_id', 'redirect_uri', 'state', 'scope']
    .map((name) => `<input type="hidden" name="${name}" value="${escapeHtml(query.get(name) ?? '')}">`).join('\n');
  const options = accounts.specs
    .map((a, i) => `<label><input type="radio" name="account" value="${a.id}"${i === 0 ? ' checked' : ''}> ${escapeHtml(a.name)} (${a.id})</label><br>`).join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Authorize Mowt (Stripe emulator)</title></head>
<body><main><h1>Authorize ${escapeHtml(clientId)}</h1>
<p>This app requests <strong>read-only</strong> access to your Stripe data.</p>
<form method="post" action="/oauth/authorize/approve">
${hidden}
<fieldset><legend>Account</legend>${options}</fieldset>
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form></main></body></html>`;
}

export async function handleOAuth(req: IncomingMessage, res: ServerResponse, url: URL, tokens: OAuthTokens, accounts: Accounts): Promise<void> {
  const path = url.pathname.replace(/^\/v1/, '');
  if (req.method === 'GET' && (path === '/oauth/authorize' || path === '/oauth/v2/authorize')) {
    if (url.searchParams.get('client_id') !== tokens.client.clientId) return oauthError(res, 400, 'invalid_client', 'Unknown client_id');
    if (!url.searchParams.get('redirect_uri')) return oauthError(res, 400, 'invalid_request', 'redirect_uri is required');
    return sendHtml(res, 200, consentPage(url.searchParams, accounts, tokens.client.clientId));
  }
  const fields = bodyFields(req, await readBody(req));
  const field = (name: string): string | undefined => (typeof fields[name] === 'string' ? (fields[name] as string) : undefined);
  if (req.method === 'POST' && path === '/oauth/authorize/approve') {
    const redirectUri = field('redirect_uri');
    if (field('client_id') !== tokens.client.clientId || !redirectUri) return oauthError(res, 400, 'invalid_request', 'Bad authorization request');
    const target = new URL(redirectUri);
    const state = field('state');
    if (field('decision') === 'deny') {
      target.searchParams.set('error', 'access_denied');
      target.searchParams.set('error_description', 'The user denied your request');
    } else {
      const account = field('account') ?? accounts.mainId;
      if (!accounts.exists(account)) return oauthError(res, 400, 'invalid_request', 'Unknown account');
      target.searchParams.set('code', tokens.issueCode(account, redirectUri));
      target.searchParams.set('scope', 'read_only');
    }
    if (state !== undefined) target.searchParams.set('state', state);
    return redirect(res, target.toString());
  }
  // The app authenticates with its own secret: as client_secret, or as the Bearer/Basic credential.
  const secret = field('client_secret') ?? bearerOf(req);
  if (req.method === 'POST' && path === '/oauth/token') {
    if (!tokens.clientAuthenticated(secret)) return oauthError(res, 401, 'invalid_client', 'Client authentication failed');
    const grantType = field('grant_type');
    const result = grantType === 'authorization_code' ? tokens.exchangeCode(field('code') ?? '')
      : grantType === 'refresh_token' ? tokens.refreshTokens(field('refresh_token') ?? '')
        : null;
    if (result === null) return oauthError(res, 400, 'unsupported_grant_type', `Unsupported grant_type: ${grantType ?? ''}`);
    if (!result) return oauthError(res, 400, 'invalid_grant', grantType === 'authorization_code' ? 'Authorization code does not exist or has expired' : 'Refresh token is invalid or revoked');
    return sendJson(res, 200, {
      access_token: result.access_token, refresh_token: result.refresh_token, expires_in: result.expires_in, token_type: 'bearer',
      scope: result.scope, livemode: false, stripe_user_id: result.accountId, stripe_publishable_key: `pk_test_${result.accountId.slice(5)}`,
    });
  }
  if (req.method === 'POST' && path === '/oauth/deauthorize') {
    if (!tokens.clientAuthenticated(secret)) return oauthError(res, 401, 'invalid_client', 'Client authentication failed');
    const account = field('stripe_user_id');
    if (!account || !tokens.revokeAccount(account)) return oauthError(res, 400, 'invalid_client', `No such account connected: ${account ?? ''}`);
    return sendJson(res, 200, { stripe_user_id: account });
  }
  const notFound: ApiError = errors.unknownRoute(req.method ?? 'GET', url.pathname);
  sendJson(res, notFound.status, notFound.body());
}
