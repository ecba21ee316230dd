// HTTP face of Mowt's own billing account in the emulator:
//   /v1/checkout/sessions, /v1/billing_portal/sessions (POST create, GET retrieve), GET /v1/customers/:id,
//   GET /v1/subscriptions/:id — only with an `sk_test_billing_…` key;
//   /_emulator/checkout/:id and /_emulator/portal/:id — the hosted pages as simple consent screens;
//   /_emulator/billing/… — admin: webhook endpoint, fail the next renewal, renew now, state.
// Returns false for anything else, which the server then handles as before (read-only API, admin).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearerOf } from '../api/auth.js';
import { ApiError } from '../http/errors.js';
import { parseParams } from '../http/params.js';
import { bodyFields, readBody, redirect, sendError, sendHtml, sendJson } from '../http/respond.js';
import { BILLING_KEY, type BillingAccount } from './billing-account.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
const money = (pence: number, currency: string) => `${currency.toUpperCase() === 'GBP' ? '£' : `${currency.toUpperCase()} `}${(pence / 100).toFixed(2)}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1a1a2e}.card{border:1px solid #ddd;border-radius:8px;padding:1.5rem}
button{font-size:1rem;padding:.6rem 1.2rem;margin:.3rem .5rem .3rem 0;border-radius:6px;border:1px solid #635bff;background:#635bff;color:#fff;cursor:pointer}button.secondary{background:#fff;color:#635bff}
.note{color:#666;font-size:.85rem}</style></head><body><p class="note">Stripe emulator — Mowt's billing account (test mode)</p><div class="card">${body}</div></body></html>`;
}

function notFound(res: ServerResponse, what: string): true {
  sendError(res, new ApiError(404, 'invalid_request_error', `No such ${what}`, 'resource_missing'));
  return true;
}

export async function handleBilling(req: IncomingMessage, res: ServerResponse, url: URL, account: BillingAccount): Promise<boolean> {
  const path = url.pathname;
  const method = req.method ?? 'GET';
  const origin = `http://${req.headers.host ?? '127.0.0.1'}`;
  const seg = path.split('/').filter(Boolean);

  if (path.startsWith('/_emulator/checkout/')) {
    const session = account.sessions.get(seg[2] ?? '');
    if (!session) return notFound(res, 'checkout session');
    if (method === 'GET' && seg.length === 3) {
      if (session.status !== 'open') {
        sendHtml(res, 200, page('Checkout', `<h1>Already ${esc(session.status)}</h1><p><a href="${esc(session.success_url)}">Return to Mowt</a></p>`));
        return true;
      }
      const tax = session.total_details.amount_tax;
      sendHtml(res, 200, page('Checkout', `<h1>Subscribe to ${esc(session.line.name)}</h1>
<p>${esc(money(session.line.unit_amount, session.currency))} per ${esc(session.line.interval)}${tax ? ` + VAT ${esc(money(tax, session.currency))}` : ''} = <strong>${esc(money(session.amount_total, session.currency))}</strong></p>
${session.tax_id_collection.enabled ? '<p class="note">VAT number: collected here by Stripe (optional).</p>' : ''}
<p class="note">Card details are entered on this page only; Mowt never sees them.</p>
<form method="post" action="/_emulator/checkout/${esc(session.id)}/pay"><button type="submit">Pay</button></form>
<form method="post" action="/_emulator/checkout/${esc(session.id)}/fail"><button type="submit" class="secondary">Fail</button></form>
<p><a href="${esc(session.cancel_url)}">Cancel and return to Mowt</a></p>`));
      return true;
    }
    if (method === 'POST' && seg[3] === 'pay') {
      await readBody(req);
      await account.pay(session.id);
      redirect(res, session.success_url.replace('{CHECKOUT_SESSION_ID}', session.id));
      return true;
    }
    if (method === 'POST' && seg[3] === 'fail') {
      await readBody(req);
      sendHtml(res, 402, page('Checkout', `<h1>Your card was declined</h1><p>No subscription was created.</p><p><a href="/_emulator/checkout/${esc(session.id)}">Try again</a> · <a href="${esc(session.cancel_url)}">Return to Mowt</a></p>`));
      return true;
    }
    return notFound(res, 'checkout page');
  }

  if (path.startsWith('/_emulator/portal/')) {
    const portal = account.portalSessions.get(seg[2] ?? '');
    if (!portal) return notFound(res, 'portal session');
    if (method === 'GET' && seg.length === 3) {
      const subs = [...account.subscriptions.values()].filter((s) => s.customer === portal.customer);
      const list = subs.map((s) => `<li>${esc(s.id)}: <strong>${esc(s.status)}</strong>, renews ${esc(new Date(s.current_period_end * 1000).toISOString().slice(0, 10))}</li>`).join('');
      sendHtml(res, 200, page('Billing portal', `<h1>Manage your subscription</h1><ul>${list}</ul>
<form method="post" action="/_emulator/portal/${esc(portal.id)}/payment-method"><button type="submit">Update payment method</button></form>
<form method="post" action="/_emulator/portal/${esc(portal.id)}/cancel"><button type="submit" class="secondary">Cancel subscription</button></form>
<p><a href="${esc(portal.return_url)}">Return to Mowt</a></p>`));
      return true;
    }
    if (method === 'POST' && (seg[3] === 'payment-method' || seg[3] === 'cancel')) {
      await readBody(req);
      if (seg[3] === 'cancel') await account.cancel(portal.customer);
      else await account.fixPaymentMethod(portal.customer);
      redirect(res, portal.return_url);
      return true;
    }
    return notFound(res, 'portal page');
  }

  if (path.startsWith('/_emulator/billing/')) {
    const fields = method === 'POST' ? bodyFields(req, await readBody(req)) : {};
    const action = seg[2];
    try {
      if (method === 'POST' && action === 'webhook_endpoints') {
        const endpoint = account.webhooks.add(String(fields.url), typeof fields.secret === 'string' ? fields.secret : undefined);
        sendJson(res, 200, { id: endpoint.id, url: endpoint.url, secret: endpoint.secret });
      } else if (method === 'POST' && action === 'fail_next_renewal') {
        account.failNext.add(typeof fields.subscription === 'string' ? fields.subscription : '*');
        sendJson(res, 200, { failNext: [...account.failNext] });
      } else if (method === 'POST' && action === 'renew') {
        const target = typeof fields.subscription === 'string' ? fields.subscription : [...account.subscriptions.values()].find((s) => s.status !== 'canceled')?.id;
        sendJson(res, 200, await account.renew(target ?? ''));
      } else if (method === 'GET' && action === 'state') {
        sendJson(res, 200, { sessions: [...account.sessions.values()], subscriptions: [...account.subscriptions.values()], events: account.events.map((e) => ({ id: e.id, type: e.type })), deliveries: account.webhooks.deliveries });
      } else return notFound(res, 'billing admin route');
    } catch (error) {
      sendError(res, new ApiError(400, 'invalid_request_error', (error as Error).message));
    }
    return true;
  }

  // The API: only Mowt's billing key reaches this account.
  if (!path.startsWith('/v1/') || !BILLING_KEY.test(bearerOf(req) ?? '')) return false;
  try {
    const params = method === 'POST' ? parseParams(new URLSearchParams(await readBody(req))) : {};
    const [, resource, sub, rid] = seg;
    if (resource === 'checkout' && sub === 'sessions') {
      if (method === 'POST' && !rid) return sendJson(res, 200, account.createCheckoutSession(params as Record<string, unknown>, origin)), true;
      if (method === 'GET' && rid) return account.sessions.has(rid) ? (sendJson(res, 200, account.sessions.get(rid)), true) : notFound(res, `checkout.session: '${rid}'`);
    }
    if (resource === 'billing_portal' && sub === 'sessions') {
      if (method === 'POST' && !rid) return sendJson(res, 200, account.createPortalSession(params as Record<string, unknown>, origin)), true;
      if (method === 'GET' && rid) return account.portalSessions.has(rid) ? (sendJson(res, 200, account.portalSessions.get(rid)), true) : notFound(res, `billing_portal.session: '${rid}'`);
    }
    if (method === 'GET' && resource === 'customers' && sub) return account.customers.has(sub) ? (sendJson(res, 200, account.customers.get(sub)), true) : notFound(res, `customer: '${sub}'`);
    if (method === 'GET' && resource === 'subscriptions' && sub) return account.subscriptions.has(sub) ? (sendJson(res, 200, account.subscriptions.get(sub)), true) : notFound(res, `subscription: '${sub}'`);
    sendError(res, new ApiError(404, 'invalid_request_error', `Unrecognized request URL (${method}: ${path}) on the billing account`));
    return true;
  } catch (error) {
    sendError(res, new ApiError(400, 'invalid_request_error', (error as Error).message));
    return true;
  }
}
