// The emulator's own admin API, only under /_emulator/: request log, clock, mutations, webhooks.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PAN_BAIT, PAN_BAIT_LOCATIONS } from '../generator/bait.js';
import type { StripeObject } from '../generator/types.js';
import { ApiError, errors } from '../http/errors.js';
import { bodyFields, readBody, sendError, sendJson } from '../http/respond.js';
import type { RequestLog } from '../api/request-log.js';
import type { Accounts } from '../store/accounts.js';
import type { Clock } from '../store/clock.js';
import type { OAuthTokens } from '../oauth/tokens.js';
import type { Webhooks } from '../webhooks/endpoints.js';
import { cancelSubscription, createEvent, pauseSubscription, resumeSubscription, updateSubscription } from './mutations.js';

export interface AdminContext {
  accounts: Accounts;
  clock: Clock;
  log: RequestLog;
  tokens: OAuthTokens;
  webhooks: Webhooks;
  revokedKeys: Set<string>;
}

function num(v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

async function pendingEvents(ctx: AdminContext): Promise<StripeObject[]> {
  const events: StripeObject[] = [];
  for (const spec of ctx.accounts.specs) {
    const store = ctx.accounts.store(spec.id);
    events.push(...store.pendingWebhookEvents.splice(0));
  }
  return events.sort((a, b) => Number(a['created']) - Number(b['created']));
}

async function route(req: IncomingMessage, url: URL, ctx: AdminContext): Promise<unknown> {
  const method = req.method ?? 'GET';
  const path = url.pathname.replace(/^\/_emulator/, '');
  if (method === 'GET' && path === '/requests') return { object: 'list', data: ctx.log.all() };
  if (method === 'GET' && path === '/bait') return { pan_bait: PAN_BAIT, locations: PAN_BAIT_LOCATIONS };
  if (method === 'GET' && path === '/accounts') {
    return { data: ctx.accounts.specs.map((s) => ({ id: s.id, name: s.name, business: s.size, main: s.id === ctx.accounts.mainId })), now: ctx.clock.now() };
  }
  const fields = method === 'POST' ? bodyFields(req, await readBody(req)) : {};
  const account = typeof fields['account'] === 'string' ? fields['account'] : ctx.accounts.mainId;
  if (!ctx.accounts.exists(account)) throw errors.noAccountAccess(account);
  const store = (): ReturnType<Accounts['store']> => ctx.accounts.store(account);
  const afterChange = async (event: StripeObject): Promise<unknown> => {
    if (ctx.webhooks.endpoints.some((e) => e.autoDeliver)) {
      await ctx.webhooks.deliver([event], (e) => e.autoDeliver);
    }
    return event;
  };
  if (method !== 'POST') throw errors.unknownRoute(method, url.pathname);
  if (path === '/requests/reset') {
    ctx.log.reset();
    return { ok: true };
  }
  if (path === '/time/advance') return { now: ctx.clock.advance(num(fields['seconds']) ?? 0) };
  if (path === '/keys/revoke') {
    ctx.revokedKeys.add(String(fields['key'] ?? ''));
    return { ok: true };
  }
  if (path === '/oauth/uninstall') {
    // The account's owner removes the App in their Stripe dashboard: every grant ends, and Stripe tells the App.
    if (!ctx.tokens.revokeAccount(account)) throw errors.badRequest(`the App is not installed on ${account}`, 'account');
    return afterChange(store().addEvent('account.application.deauthorized', { id: ctx.tokens.client.clientId, object: 'application', name: 'Mowt' }));
  }
  const sub = /^\/subscriptions\/([^/]+)\/(cancel|update|pause|resume)$/.exec(path);
  if (sub) {
    const [, id = '', action] = sub;
    if (action === 'cancel') return afterChange(cancelSubscription(store(), id, fields['at_period_end'] === true || fields['at_period_end'] === 'true', ctx.clock.now()));
    if (action === 'update') {
      return afterChange(updateSubscription(store(), id, {
        quantity: num(fields['quantity']),
        price: typeof fields['price'] === 'string' ? fields['price'] : undefined,
      }));
    }
    if (action === 'pause') return afterChange(pauseSubscription(store(), id, num(fields['resumes_at']) ?? null));
    return afterChange(resumeSubscription(store(), id));
  }
  if (path === '/events') return afterChange(createEvent(store(), String(fields['type'] ?? ''), String(fields['object'] ?? '')));
  if (path === '/webhooks') {
    if (typeof fields['url'] !== 'string') throw errors.badRequest('url is required', 'url');
    const endpoint = ctx.webhooks.add(fields['url'], typeof fields['secret'] === 'string' ? fields['secret'] : undefined,
      fields['auto_deliver'] === true || fields['auto_deliver'] === 'true');
    return endpoint;
  }
  if (path === '/webhooks/deliver') {
    const events = await pendingEvents(ctx);
    // Auto-delivering endpoints already received each event when it was created.
    return { delivered: await ctx.webhooks.deliver(events, (e) => !e.autoDeliver) };
  }
  throw errors.unknownRoute(method, url.pathname);
}

export async function handleAdmin(req: IncomingMessage, res: ServerResponse, url: URL, ctx: AdminContext): Promise<void> {
  try {
    sendJson(res, 200, await route(req, url, ctx));
  } catch (error) {
    if (error instanceof ApiError) return sendError(res, error);
    sendError(res, errors.badRequest((error as Error).message));
  }
}
