// Sign-up to paid plan to failed renewal, against the real app and the Stripe emulator's billing account:
// trial, hosted Checkout (automatic tax, VAT number collection, GBP), signed webhooks driving the plan,
// grace period, read-only, cancellation, plan limits, and the read-only Stripe client still refusing writes.
import type { RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// The machine is shared: generous per-test time (the work itself is small).
vi.setConfig({ testTimeout: 180_000, hookTimeout: 300_000 });
import { createGuardedSdk } from '../stripe/client.js';
import { StripeWriteRefused } from '../stripe/guarded-http-client.js';
import { uniqueEmail } from '../auth/test-support.js';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../../test/helpers/databases.js';
import { BILLING_KEY, BILLING_WEBHOOK_SECRET, completeCheckout, resignIn, emulatorPost, signUpAndSignIn, startBillingHarness, type BillingHarness, type SignedUp } from './test-support.js';
import { DEFAULT_PLAN_CATALOG } from './plans.js';
import { shapeReport } from '../../test/helpers/schema-shape.js';
import { signPayload } from '../../emulator/index.js';
import { MeSchema } from '../auth/auth-schemas.js';
import { SignupAcceptedSchema, SignupInfoSchema } from '../signup/signup-schemas.js';
import { BillingRedirectSchema, BillingStatusSchema, BillingSummarySchema, BillingWebhookAnswerSchema, type BillingStatus, type BillingSummary } from './billing-schemas.js';

const DAY = 86_400_000;
// Small limits for the trial plan so the limit checks are reachable in a test.
const PLANS = JSON.stringify({
  ...DEFAULT_PLAN_CATALOG,
  plans: DEFAULT_PLAN_CATALOG.plans.map((p) => (p.id === 'growth' ? { ...p, limits: { stripeConnections: 1, members: 2 } } : p)),
});

describe.each(DB_KINDS)('sign-up and billing on %s', (kind) => {
  let t: TestDatabase;
  let h: BillingHarness;
  let founder: SignedUp;
  const routes: { method: string; url: string; access: string }[] = [];

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    h = await startBillingHarness(t.db, {
      env: { MOWT_BILLING_PLANS: PLANS },
      overrides: { onRoute: (r: RouteOptions) => { for (const m of [r.method].flat()) routes.push({ method: String(m), url: r.url, access: String(r.config?.access) }); } },
    });
    founder = await signUpAndSignIn(h, { email: uniqueEmail('founder'), orgName: 'Founder Analytics' });
  }, 300_000);
  afterAll(async () => {
    await h?.close();
    await t?.dispose();
  }, 60_000);

  // Every status read is also checked against the route's response schema, in each state the tests reach.
  const status = async () => {
    const body: unknown = (await founder.browser.request('GET', `/api/orgs/${founder.orgId}/billing/status`)).json();
    expect(shapeReport(BillingStatusSchema, body)).toEqual({ errors: [], keys: [], unchecked: [] });
    // Named here too: a field dropped from the schema would vanish from the answer and the check alike.
    expect(Object.keys(body as object).sort()).toEqual(['access', 'accessEndsAt', 'graceEndsAt', 'managed', 'state', 'trialDaysLeft', 'trialEndsAt', 'upgradeRequired']);
    return body as BillingStatus;
  };

  it('starts a 14-day trial at sign-up, audited', async () => {
    expect(await status()).toMatchObject({ state: 'trialing', access: 'full', trialDaysLeft: 14 });
    const audit = await founder.browser.request('GET', `/api/orgs/${founder.orgId}/audit?action=billing.`);
    expect((audit.json() as { entries: { action: string }[] }).entries.map((e) => e.action)).toContain('billing.trial_started');
    // The signed-up founder's /api/me, with the organisation sign-up made (the auth tests have none).
    const me = await founder.browser.request('GET', '/api/me');
    expect(me.json()).toMatchObject({ orgs: [{ id: founder.orgId, name: 'Founder Analytics', role: 'admin' }] });
    expect(shapeReport(MeSchema, me.json())).toEqual({ errors: [], keys: [], unchecked: [] });
  });

  it('answers an existing address exactly like a new one, and mails its owner instead', async () => {
    const fresh = await new (await import('../auth/test-support.js')).TestBrowser(h.app.server).post('/api/auth/signup', { name: 'X', email: uniqueEmail('new'), password: 'correct horse battery staple 42', orgName: 'Other Ltd' });
    const again = await new (await import('../auth/test-support.js')).TestBrowser(h.app.server).post('/api/auth/signup', { name: 'X', email: founder.email, password: 'correct horse battery staple 42', orgName: 'Other Ltd' });
    await h.settle();
    expect([fresh.statusCode, again.statusCode]).toEqual([202, 202]);
    expect(again.json()).toEqual(fresh.json());
    expect(fresh.json()).toEqual({ status: 'check_email', detail: expect.any(String) });
    expect(shapeReport(SignupAcceptedSchema, fresh.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    expect(h.mail.sent.filter((m) => m.to === founder.email).map((m) => m.subject)).toContain('You already have a Mowt account');
    const orgs = await h.app.db.owner.selectFrom('memberships').select('org_id').where('user_id', '=', founder.userId).execute();
    expect(orgs).toHaveLength(1);
  });

  it('opens no organisation data to an unverified sign-up account, or to one without 2FA', async () => {
    const unverified = await signUpAndSignIn(h, { email: uniqueEmail('unverified'), verify: false });
    const noTotp = await signUpAndSignIn(h, { email: uniqueEmail('nototp'), enrol: false });
    const orgRoutes = routes.filter((r) => r.url.startsWith('/api/orgs/:orgId') && !['public', 'session', 'user'].includes(r.access));
    expect(orgRoutes.length).toBeGreaterThan(10);
    const leaks: string[] = [];
    for (const who of [unverified, noTotp]) {
      for (const r of orgRoutes) {
        const url = r.url.replace(':orgId', who.orgId).replace(/:[A-Za-z0-9_]+/g, '00000000-0000-4000-8000-000000000000');
        const res = await who.browser.request(r.method as 'GET', url, r.method === 'GET' || r.method === 'HEAD' || r.method === 'DELETE' ? {} : { body: {} });
        if (res.statusCode !== 401 && res.statusCode !== 403) leaks.push(`${who.email} ${r.method} ${r.url} → ${res.statusCode}`);
      }
    }
    expect(leaks).toEqual([]);
    const res = await unverified.browser.request('GET', `/api/orgs/${unverified.orgId}`);
    expect(res.json()).toMatchObject({ status: 403, code: 'email_verification_required' });
  }, 120_000);

  it('enforces the plan limits with an upgrade prompt', async () => {
    const first = await founder.browser.post(`/api/orgs/${founder.orgId}/invites`, { email: uniqueEmail('mate'), role: 'member' });
    expect(first.statusCode).toBe(201);
    const second = await founder.browser.post(`/api/orgs/${founder.orgId}/invites`, { email: uniqueEmail('mate'), role: 'member' });
    expect(second.statusCode).toBe(402);
    expect(second.json()).toMatchObject({ code: 'plan_limit' });
    const summary = (await founder.browser.request('GET', `/api/orgs/${founder.orgId}/billing`)).json() as BillingSummary;
    expect(summary).toMatchObject({ limits: { members: 2 }, usage: { members: 2 } });
    expect(summary.plans.length).toBeGreaterThan(0);
    expect(Object.keys(summary).sort()).toEqual([
      'access', 'accessEndsAt', 'checkoutAvailable', 'currency', 'currentPeriodEnd', 'eraseAfter', 'graceEndsAt', 'interval', 'limits', 'managed', 'plan', 'plans',
      'portalAvailable', 'recommendedPlan', 'state', 'trackedMrrPence', 'trialDaysLeft', 'trialEndsAt', 'upgradeRequired', 'usage',
    ]);
    expect(Object.keys(summary.plans[0]!).sort()).toEqual(['id', 'limits', 'maxMrrPence', 'monthlyPence', 'name', 'yearlyPence']);
    expect(shapeReport(BillingSummarySchema, summary)).toEqual({ errors: [], keys: [], unchecked: [] });
  });

  it('subscribes through hosted Checkout (GBP, automatic tax, VAT number) and webhooks make the plan active', async () => {
    const checkout = await founder.browser.post(`/api/orgs/${founder.orgId}/billing/checkout`, { planId: 'starter', interval: 'month' });
    expect(checkout.statusCode).toBe(200);
    expect(checkout.json()).toEqual({ url: expect.any(String) });
    expect(shapeReport(BillingRedirectSchema, checkout.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    const { url } = checkout.json() as { url: string };
    expect(url.startsWith(`${h.emulator.url}/_emulator/checkout/cs_test_`)).toBe(true);
    const session = (await (await fetch(`${h.emulator.url}/v1/checkout/sessions/${url.split('/').pop()}`, { headers: { authorization: `Bearer ${BILLING_KEY}` } })).json()) as Record<string, unknown>;
    expect(session).toMatchObject({ mode: 'subscription', currency: 'gbp', automatic_tax: { enabled: true }, tax_id_collection: { enabled: true }, client_reference_id: founder.orgId, amount_subtotal: 4900 });
    const paid = await completeCheckout(url, 'pay');
    expect(paid.status).toBe(302);
    expect(await status()).toMatchObject({ state: 'active', access: 'full', trialDaysLeft: null });
    expect(h.mail.sent.some((m) => m.to === founder.email && m.subject.startsWith('Welcome to Mowt'))).toBe(true);
    const portal = await founder.browser.post(`/api/orgs/${founder.orgId}/billing/portal`, {});
    expect((portal.json() as { url: string }).url).toContain('/_emulator/portal/bps_test_');
    expect(shapeReport(BillingRedirectSchema, portal.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    // The paid plan's summary: state, interval, period end and plan all set.
    const paidSummary = (await founder.browser.request('GET', `/api/orgs/${founder.orgId}/billing`)).json() as BillingSummary;
    expect(paidSummary).toMatchObject({ state: 'active', interval: 'month', plan: { id: 'starter' } });
    expect(shapeReport(BillingSummarySchema, paidSummary)).toEqual({ errors: [], keys: [], unchecked: [] });
  });

  it('a failed renewal → past_due with a 7-day grace period → read-only → recovered from the portal', async () => {
    await emulatorPost(h, '/_emulator/billing/fail_next_renewal');
    await emulatorPost(h, '/_emulator/billing/renew');
    const s = await status();
    expect(s).toMatchObject({ state: 'past_due', access: 'full' });
    expect(new Date(s.graceEndsAt ?? 0).getTime() - h.clock().getTime()).toBeGreaterThan(7 * DAY - 60_000);
    expect(h.mail.sent.some((m) => m.to === founder.email && m.subject.startsWith('Payment for Mowt'))).toBe(true);
    // Still inside the grace period: changes allowed.
    h.clock.advance(6 * DAY);
    await h.app.services.billing.runDue();
    expect((await founder.browser.request('PATCH', `/api/orgs/${founder.orgId}`, { body: { name: 'Founder Analytics 2' } })).statusCode).toBe(200);
    // Grace over: read-only (reads fine, changes refused with 402), billing still open.
    h.clock.advance(1 * DAY + 60_000);
    expect((await h.app.services.billing.runDue()).changed).toBe(1);
    expect(await status()).toMatchObject({ state: 'read_only', access: 'read_only' });
    expect((await founder.browser.request('GET', `/api/orgs/${founder.orgId}`)).statusCode).toBe(200);
    const refused = await founder.browser.request('PATCH', `/api/orgs/${founder.orgId}`, { body: { name: 'Nope' } });
    expect(refused.statusCode).toBe(402);
    expect(refused.json()).toMatchObject({ code: 'plan_read_only' });
    const portal = (await founder.browser.post(`/api/orgs/${founder.orgId}/billing/portal`, {})).json() as { url: string };
    expect((await fetch(`${portal.url}/payment-method`, { method: 'POST', redirect: 'manual' })).status).toBe(302);
    expect(await status()).toMatchObject({ state: 'active', access: 'full' });
  });

  it('refuses a forged webhook and ignores a redelivered one', async () => {
    const forged = await h.app.server.inject({ method: 'POST', url: '/api/billing/webhook', headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00' }, payload: '{"id":"evt_x","type":"invoice.payment_failed","data":{"object":{}}}' });
    expect(forged.statusCode).toBe(400);
    // A correctly signed event this slice does not act on is acknowledged, changing nothing.
    const payload = JSON.stringify({ id: `evt_unrelated_${Date.now()}`, object: 'event', type: 'customer.created', data: { object: { id: 'cus_unknown', object: 'customer' } } });
    const signed = await h.app.server.inject({ method: 'POST', url: '/api/billing/webhook', headers: { 'content-type': 'application/json', 'stripe-signature': signPayload(payload, BILLING_WEBHOOK_SECRET, Math.floor(Date.now() / 1000)) }, payload });
    expect(signed.statusCode).toBe(200);
    expect(signed.json()).toEqual({ received: true, applied: false });
    expect(shapeReport(BillingWebhookAnswerSchema, signed.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    const state = (await (await fetch(`${h.emulator.url}/_emulator/billing/state`)).json()) as { deliveries: { status: number | null }[] };
    expect(state.deliveries.every((d) => d.status === 200)).toBe(true);
  });

  it('cancellation: read-only until the period ends, then locked, then pending erasure after 30 days', async () => {
    const portal = (await founder.browser.post(`/api/orgs/${founder.orgId}/billing/portal`, {})).json() as { url: string };
    await fetch(`${portal.url}/cancel`, { method: 'POST', redirect: 'manual' });
    expect(await status()).toMatchObject({ state: 'canceled', access: 'read_only' });
    h.clock.advance(40 * DAY);
    await h.app.services.billing.runDue();
    // 40 days later the old session has expired: sign in again (password + TOTP).
    founder = { ...founder, browser: await resignIn(h, founder) };
    expect(await status()).toMatchObject({ state: 'ended', access: 'locked' });
    expect((await founder.browser.request('GET', `/api/orgs/${founder.orgId}/members`)).statusCode).toBe(402);
    expect((await founder.browser.request('GET', `/api/orgs/${founder.orgId}/billing`)).statusCode).toBe(200);
    h.clock.advance(31 * DAY);
    const report = await h.app.services.billing.runDue();
    // The GDPR slice's deletion ran: keys destroyed, the organisation and its rows gone, the audit trail kept.
    expect(report).toMatchObject({ erased: 1, pendingErasure: [] });
    expect(await h.app.db.owner.selectFrom('organisations').select('id').where('id', '=', founder.orgId).executeTakeFirst()).toBeUndefined();
    const audit = await h.app.db.owner.selectFrom('audit_log').select('action').where('org_id', '=', founder.orgId).where('action', 'like', 'billing.%').execute();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['billing.trial_started', 'billing.checkout_started', 'billing.webhook', 'billing.portal_opened', 'billing.state_changed']));
  });

  it('keeps the read-only Stripe client unable to write, even to the billing endpoints', async () => {
    const sdk = createGuardedSdk({ apiBase: h.emulator.url, token: BILLING_KEY });
    const before = ((await (await fetch(`${h.emulator.url}/_emulator/billing/state`)).json()) as { sessions: unknown[] }).sessions.length;
    const err = await sdk.checkout.sessions.create({ mode: 'subscription', success_url: 'https://x', cancel_url: 'https://x' }).then(() => null, (e: unknown) => e as Error & { detail?: unknown });
    expect(err).not.toBeNull();
    expect(err?.detail instanceof StripeWriteRefused || String(err?.message).includes('Mowt only reads')).toBe(true);
    const after = ((await (await fetch(`${h.emulator.url}/_emulator/billing/state`)).json()) as { sessions: unknown[] }).sessions.length;
    expect(after).toBe(before);
    // And a customer's connection key cannot create anything on the emulator either.
    const direct = await fetch(`${h.emulator.url}/v1/checkout/sessions`, { method: 'POST', headers: { authorization: 'Bearer sk_test_customer_connection', 'content-type': 'application/x-www-form-urlencoded' }, body: 'mode=subscription' });
    expect(direct.status).toBeGreaterThanOrEqual(400);
    expect(((await direct.json()) as { error: { message: string } }).error.message).not.toContain('cs_test');
  });
});

describe('sign-up closed', () => {
  it('answers 403 signup_closed and says so on GET', async () => {
    const t = await createTestDatabase('postgres');
    const h = await startBillingHarness(t.db, { env: { MOWT_SIGNUP: 'closed' } });
    try {
      const browser = new (await import('../auth/test-support.js')).TestBrowser(h.app.server);
      const info = await browser.request('GET', '/api/auth/signup');
      expect(info.json()).toEqual({ open: false, trialDays: 14, demoData: expect.any(Boolean) });
      expect(shapeReport(SignupInfoSchema, info.json())).toEqual({ errors: [], keys: [], unchecked: [] });
      const res = await browser.post('/api/auth/signup', { name: 'A', email: uniqueEmail('closed'), password: 'correct horse battery staple 42', orgName: 'Closed Ltd' });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ code: 'signup_closed' });
    } finally {
      await h.close();
      await t.dispose();
    }
  });
});
