// Mowt's OWN Stripe account (Mowt charging its customers): a separate SDK instance with its own secret
// (MOWT_BILLING_STRIPE_SECRET_KEY) and base (MOWT_BILLING_API_BASE). It is never built from, and never
// handed to, the read-only client of src/stripe that reads customers' accounts — that one keeps its
// GuardedHttpClient, which refuses every write. Only the calls below exist: hosted Checkout and Customer
// Portal sessions, retrieving a subscription, and verifying a billing webhook's signature.
import Stripe from 'stripe';
import type { BillingInterval } from './billing.table.js';
import type { Plan } from './plans.js';

export interface BillingClientOptions {
  secretKey: string;
  webhookSecret: string;
  /** The emulator in development/tests; Stripe itself when unset. */
  apiBase?: string;
  timeoutMs?: number;
}

export interface CheckoutRequest {
  orgId: string;
  plan: Plan;
  interval: BillingInterval;
  currency: 'gbp';
  customerId: string | null;
  /** Prefills the hosted page's email; not stored by Mowt beyond the user row it already has. */
  customerEmail: string | null;
  successUrl: string;
  cancelUrl: string;
  idempotencyKey: string;
}

export interface HostedSession {
  id: string;
  url: string;
}

export interface BillingClient {
  createCheckoutSession(req: CheckoutRequest): Promise<HostedSession>;
  createPortalSession(customerId: string, returnUrl: string): Promise<HostedSession>;
  /** Verifies the Stripe-Signature header over the raw body (throws on a bad or stale signature). */
  verifyWebhook(rawBody: Buffer, signature: string): Stripe.Event;
}

export function createBillingClient(opts: BillingClientOptions): BillingClient {
  const url = new URL(opts.apiBase ?? 'https://api.stripe.com');
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  const sdk = new Stripe(opts.secretKey, {
    host: url.hostname,
    port: url.port || (protocol === 'http' ? '80' : '443'),
    protocol,
    maxNetworkRetries: 2,
    telemetry: false,
    timeout: opts.timeoutMs ?? 20_000,
  });
  return {
    async createCheckoutSession(req) {
      const amount = req.interval === 'month' ? req.plan.monthlyPence : req.plan.yearlyPence;
      const price = req.plan.stripePrices?.[req.interval];
      if (amount === null && !price) throw new Error(`plan ${req.plan.id} is not sold self-serve`);
      const lineItem: Stripe.Checkout.SessionCreateParams.LineItem = price
        ? { price, quantity: 1 }
        : {
            quantity: 1,
            price_data: {
              currency: req.currency,
              unit_amount: amount ?? 0,
              recurring: { interval: req.interval },
              tax_behavior: 'exclusive',
              product_data: { name: `Mowt ${req.plan.name}`, metadata: { mowt_plan: req.plan.id } },
            },
          };
      const metadata = { mowt_org: req.orgId, mowt_plan: req.plan.id, mowt_interval: req.interval };
      const session = await sdk.checkout.sessions.create(
        {
          mode: 'subscription',
          line_items: [lineItem],
          currency: req.currency,
          client_reference_id: req.orgId,
          ...(req.customerId ? { customer: req.customerId, customer_update: { address: 'auto', name: 'auto' } } : req.customerEmail ? { customer_email: req.customerEmail } : {}),
          // UK VAT: Stripe calculates tax from the billing address and collects the VAT number on its page.
          automatic_tax: { enabled: true },
          tax_id_collection: { enabled: true },
          billing_address_collection: 'required',
          metadata,
          subscription_data: { metadata },
          success_url: req.successUrl,
          cancel_url: req.cancelUrl,
        },
        { idempotencyKey: req.idempotencyKey },
      );
      if (!session.url) throw new Error('Stripe returned a Checkout Session without a URL');
      return { id: session.id, url: session.url };
    },
    async createPortalSession(customerId, returnUrl) {
      const session = await sdk.billingPortal.sessions.create({ customer: customerId, return_url: returnUrl });
      return { id: session.id, url: session.url };
    },
    verifyWebhook(rawBody, signature) {
      return sdk.webhooks.constructEvent(rawBody, signature, opts.webhookSecret, 300);
    },
  };
}
