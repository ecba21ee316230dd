// Stripe JSON for one customer's objects, rebuilt from the simulation's facts on demand.
import { COUPONS, TAX_RATE_PERCENT, planOfPrice, shownPriceIndex } from './catalog.js';
import { baitFor } from './bait.js';
import { buildCoupon, buildPlan, buildPrice, couponId, productId, taxRateId } from './build-catalog.js';
import type { CatalogContext } from './build-catalog.js';
import type { CustomerFacts, EventFacts, InvoiceFacts, ObjectKind, SubFacts } from './facts.js';
import { withoutIncludable } from './includable.js';
import { hashSeed } from './rng.js';
import { makeId, objectKey } from './ids.js';
import type { StripeObject } from './types.js';

/** The API version of the installed SDK, which is what the emulator claims to speak. */
export const STRIPE_API_VERSION = '2026-10-28.endive';

export interface HistoryContext extends CatalogContext {
  accountId: string;
  /** The generation clock (unix seconds), so derived fields never read the wall clock. */
  now: number;
  accountName: string;
  /** Whether a few USD/EUR subscriptions sit on GBP prices with currency_options (see shownPriceIndex). */
  multiCurrency: boolean;
}

/** Slot used for the customer-level discount id (subscription discounts use the subscription's n). */
const CUSTOMER_DISCOUNT_SLOT = 1023;

export function idOf(ctx: HistoryContext, kind: ObjectKind | 'event' | 'txn' | 'discount' | 'item' | 'line', customer: number, n: number): string {
  const prefix = { customer: 'cus', subscription: 'sub', invoice: 'in', charge: 'ch', refund: 're', dispute: 'dp', event: 'evt', txn: 'txn', discount: 'di', item: 'si', line: 'il' }[kind];
  return makeId(prefix, ctx.salt, objectKey(customer, kind === 'customer' ? 0 : n));
}

function list(data: unknown[], url: string): StripeObject {
  return { object: 'list', data, has_more: false, url };
}

export class HistoryBuilder {
  constructor(readonly ctx: HistoryContext, readonly facts: CustomerFacts) {}

  private id(kind: Parameters<typeof idOf>[1], n: number): string {
    return idOf(this.ctx, kind, this.facts.index, n);
  }

  /** The price id objects show for an economic price (plan × currency). */
  private shown(priceIdx: number): number {
    return shownPriceIndex(priceIdx, this.facts.index, this.ctx.multiCurrency);
  }

  get customerId(): string {
    return this.id('customer', 0);
  }

  discount(source: 'sub' | 'customer', subN: number | null): StripeObject | null {
    const f = this.facts;
    const sub = subN === null ? undefined : f.subs[subN];
    const couponIdx = source === 'sub' ? sub?.coupon ?? null : f.coupon;
    if (couponIdx === null) return null;
    const spec = COUPONS[couponIdx];
    const start = source === 'sub' ? sub?.couponStart ?? f.created : f.created;
    const end = spec?.duration === 'repeating' && spec.durationInMonths !== null ? start + spec.durationInMonths * 30 * 86400 : null;
    return {
      id: this.id('discount', source === 'sub' ? subN ?? 0 : CUSTOMER_DISCOUNT_SLOT), object: 'discount', checkout_session: null,
      customer: this.customerId, customer_account: null, end, invoice: null, invoice_item: null, promotion_code: null,
      source: { coupon: withoutIncludable(buildCoupon(this.ctx, couponIdx, 1)), type: 'coupon' }, start,
      subscription: source === 'sub' && sub ? this.id('subscription', sub.n) : null, subscription_item: null,
    };
  }

  invoicePrefix(): string {
    return hashSeed(this.ctx.salt, 'prefix', this.facts.index).toString(16).toUpperCase().padStart(8, '0');
  }

  customer(): StripeObject {
    const f = this.facts;
    const metadata: Record<string, string> = { segment: f.taxed ? 'vat-registered' : 'standard' };
    if (f.index % 25 === 3) metadata['support_note'] = `customer read card ${baitFor(f.index)} over the phone`;
    return {
      id: this.customerId, object: 'customer',
      address: { city: null, country: f.country, line1: null, line2: null, postal_code: null, state: null },
      balance: 0, created: f.created, currency: f.subs.length > 0 ? f.currency : null, default_source: null,
      delinquent: f.subs.some((s) => s.status === 'past_due'),
      description: f.index % 40 === 7 ? `Legacy import, card on file ${baitFor(f.index + 1)}` : null,
      discount: this.discount('customer', null), email: f.email,
      invoice_prefix: this.invoicePrefix(),
      invoice_settings: { custom_fields: null, default_payment_method: `pm_${this.customerId.slice(4)}`, footer: null, rendering_options: null },
      livemode: false, metadata, name: f.name, next_invoice_sequence: f.invoices.length + 1, phone: null,
      preferred_locales: [], shipping: null, tax_exempt: 'none', test_clock: null,
    };
  }

  subscriptionItem(sub: SubFacts): StripeObject {
    return {
      id: this.id('item', sub.n), object: 'subscription_item', billing_thresholds: null, created: sub.itemCreated,
      current_period_end: sub.periodEnd, current_period_start: sub.periodStart, current_trial: null, discounts: [], metadata: {},
      // Embedded copies: no includable fields (tiers, currency_options), as Stripe sends them.
      plan: withoutIncludable(buildPlan(this.ctx, this.shown(sub.priceIdx))), price: withoutIncludable(buildPrice(this.ctx, this.shown(sub.priceIdx))), quantity: sub.quantity,
      subscription: this.id('subscription', sub.n), tax_rates: [],
    };
  }

  subscription(n: number): StripeObject {
    const sub = this.facts.subs[n];
    if (!sub) throw new Error(`no subscription ${n}`);
    const id = this.id('subscription', n);
    const discount = this.discount('sub', n);
    const { currency } = planOfPrice(sub.priceIdx);
    return {
      id, object: 'subscription', application: null, application_fee_percent: null,
      automatic_tax: { disabled_reason: null, enabled: false, liability: null }, billing_cycle_anchor: sub.anchor,
      billing_cycle_anchor_config: null, billing_mode: { flexible: null, type: 'classic' }, billing_schedules: [],
      billing_thresholds: null, cancel_at: sub.cancelAt, cancel_at_period_end: sub.cancelAtPeriodEnd, canceled_at: sub.canceledAt,
      cancellation_details: { comment: null, feedback: null, feedback_option: null, reason: sub.cancelReason },
      collection_method: 'charge_automatically', created: sub.created, currency, customer: this.customerId, customer_account: null,
      days_until_due: null, default_payment_method: null, default_source: null, default_tax_rates: [], description: null,
      discounts: discount ? [discount['id']] : [], ended_at: sub.endedAt,
      invoice_settings: { account_tax_ids: null, custom_fields: null, description: null, footer: null, issuer: { type: 'self' } },
      items: list([this.subscriptionItem(sub)], `/v1/subscription_items?subscription=${id}`),
      latest_invoice: sub.latestInvoice === null ? null : this.id('invoice', sub.latestInvoice), livemode: false, managed_payments: null,
      metadata: {}, next_pending_invoice_item_invoice: null, on_behalf_of: null,
      pause_collection: sub.pauseResumesAt === null ? null : { behavior: 'void', resumes_at: sub.pauseResumesAt },
      payment_settings: { payment_method_options: null, payment_method_types: null, save_default_payment_method: 'off' },
      pending_invoice_item_interval: null, pending_setup_intent: null, pending_update: null, schedule: null,
      start_date: sub.created, status: sub.status, test_clock: null, transfer_data: null, trial_end: sub.trialEnd,
      trial_settings: { end_behavior: { billing_cycle_anchor: null, missing_payment_method: 'cancel' } }, trial_start: sub.trialStart,
    };
  }

  private taxes(inv: InvoiceFacts): StripeObject[] {
    if (!this.facts.taxed || inv.subtotal === 0) return [];
    return [{
      amount: inv.tax, tax_behavior: 'exclusive', tax_rate_details: { tax_rate: taxRateId(this.ctx) },
      taxability_reason: 'standard_rated', taxable_amount: inv.subtotal - inv.discount, type: 'tax_rate_details',
    }];
  }

  invoice(n: number): StripeObject {
    const f = this.facts;
    const inv = f.invoices[n];
    if (!inv) throw new Error(`no invoice ${n}`);
    const sub = f.subs[inv.sub];
    const id = this.id('invoice', n);
    const subId = this.id('subscription', inv.sub);
    const discount = inv.discountSource ? this.discount(inv.discountSource, inv.discountSource === 'sub' ? inv.sub : null) : null;
    const { plan, currency } = planOfPrice(inv.priceIdx);
    const discountAmounts = discount ? [{ amount: inv.discount, discount: discount['id'] }] : [];
    const line: StripeObject = {
      id: this.id('line', n), object: 'line_item', amount: inv.subtotal, currency,
      description: `${inv.quantity} × ${plan.nickname} (at ${currency.toUpperCase()})`, discount_amounts: discountAmounts,
      discountable: true, discounts: discount ? [discount['id']] : [], invoice: id, livemode: false, metadata: {},
      parent: {
        invoice_item_details: null, type: 'subscription_item_details',
        subscription_item_details: { invoice_item: null, proration: false, proration_details: { credited_items: null }, subscription: subId, subscription_item: this.id('item', inv.sub) },
      },
      period: { end: inv.periodEnd, start: inv.periodStart }, pretax_credit_amounts: [],
      pricing: { price_details: { price: buildPrice(this.ctx, this.shown(inv.priceIdx))['id'], product: productId(this.ctx, plan.product) }, type: 'price_details', unit_amount_decimal: String(Math.round(inv.subtotal / Math.max(1, inv.quantity))) },
      quantity: inv.quantity, quantity_decimal: String(inv.quantity), subscription: subId, subtotal: inv.subtotal,
      taxes: this.taxes(inv),
    };
    const paid = inv.status === 'paid' ? inv.total : 0;
    const finalizedAt = inv.created + 3600;
    return {
      id, object: 'invoice', account_country: 'GB', account_name: this.ctx.accountName, account_tax_ids: null,
      amount_due: inv.total, amount_overpaid: 0, amount_paid: paid, amount_remaining: inv.status === 'open' ? inv.total : 0,
      amount_shipping: 0, application: null, attempt_count: inv.attemptCount, attempted: inv.attemptCount > 0,
      auto_advance: inv.status === 'open',
      automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
      automatically_finalizes_at: null, billing_reason: inv.billingReason, collection_method: 'charge_automatically',
      created: inv.created, currency, custom_fields: null, customer: this.customerId, customer_account: null,
      customer_address: { city: null, country: f.country, line1: null, line2: null, postal_code: null, state: null },
      customer_email: f.email, customer_name: f.name, customer_phone: null, customer_shipping: null, customer_tax_exempt: 'none',
      customer_tax_ids: [], default_payment_method: null, default_source: null,
      default_tax_rates: [], description: null, discounts: discount ? [discount['id']] : [], due_date: null,
      effective_at: finalizedAt, ending_balance: 0, footer: null, from_invoice: null,
      hosted_invoice_url: `https://invoice.stripe.com/i/emulator/${id}`, invoice_pdf: `https://pay.stripe.com/invoice/emulator/${id}/pdf`,
      issuer: { type: 'self' }, last_finalization_error: null, latest_revision: null,
      lines: list([line], `/v1/invoices/${id}/lines`), livemode: false, metadata: {},
      next_payment_attempt: inv.nextPaymentAttempt,
      number: `${this.invoicePrefix()}-${String(n + 1).padStart(4, '0')}`, on_behalf_of: null,
      parent: { quote_details: null, subscription_details: { metadata: sub ? {} : null, subscription: subId }, type: 'subscription_details' },
      payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
      // Like Stripe, a subscription invoice's own period is its creation instant; the line holds the service period.
      period_end: inv.created, period_start: inv.created,
      post_payment_credit_notes_amount: 0, pre_payment_credit_notes_amount: 0, receipt_number: null, rendering: null,
      shipping_cost: null, shipping_details: null, starting_balance: 0, statement_descriptor: null, status: inv.status,
      status_transitions: { finalized_at: finalizedAt, marked_uncollectible_at: inv.uncollectibleAt, paid_at: inv.paidAt, voided_at: inv.voidedAt },
      subtotal: inv.subtotal, subtotal_excluding_tax: inv.subtotal, test_clock: null, total: inv.total,
      total_discount_amounts: discountAmounts, total_excluding_tax: inv.subtotal - inv.discount, total_pretax_credit_amounts: [],
      total_taxes: this.taxes(inv), webhooks_delivered_at: finalizedAt,
    };
  }

  charge(n: number): StripeObject {
    const f = this.facts;
    const ch = f.charges[n];
    if (!ch) throw new Error(`no charge ${n}`);
    const inv = f.invoices[ch.invoice];
    const currency = inv ? planOfPrice(inv.priceIdx).currency : f.currency;
    const invoiceNumber = inv ? `${String(ch.invoice + 1).padStart(4, '0')}` : '';
    const metadata: Record<string, string> = {};
    if (ch.bait) metadata['customer_reference'] = baitFor(f.index + 2);
    const refunds = f.refunds.filter((r) => r.charge === n).map((r) => this.refund(r.n));
    return {
      id: this.id('charge', n), object: 'charge', amount: ch.amount, amount_captured: ch.succeeded ? ch.amount : 0,
      amount_refunded: ch.amountRefunded, application: null, application_fee: null, application_fee_amount: null,
      balance_transaction: ch.txn === null ? null : this.id('txn', ch.txn),
      billing_details: { address: null, email: f.email, name: f.name, phone: null, tax_id: null },
      calculated_statement_descriptor: 'MOWT DEMO', captured: ch.succeeded, created: ch.created, currency,
      customer: this.customerId,
      description: ch.bait ? `Subscription payment; customer quoted card ${baitFor(f.index)}` : `Subscription invoice ${invoiceNumber}`,
      disputed: ch.disputed, failure_balance_transaction: null, failure_code: ch.failureCode,
      failure_message: ch.failureCode ? 'Your card was declined.' : null, fraud_details: {}, livemode: false, metadata,
      on_behalf_of: null,
      outcome: {
        advice_code: null, network_advice_code: null, network_decline_code: null,
        network_status: ch.succeeded ? 'approved_by_network' : 'declined_by_network', reason: ch.failureCode ? 'generic_decline' : null,
        risk_level: 'normal', seller_message: ch.succeeded ? 'Payment complete.' : 'The bank did not return any further details with this decline.',
        type: ch.succeeded ? 'authorized' : 'issuer_declined',
      },
      paid: ch.succeeded, payment_intent: null, payment_method: `pm_${this.customerId.slice(4)}`,
      payment_method_details: {
        type: 'card',
        // Only what Stripe itself exposes: never a full card number.
        card: {
          amount_authorized: ch.succeeded ? ch.amount : null, authorization_code: null, brand: f.card.brand,
          checks: { address_line1_check: null, address_postal_code_check: 'pass', cvc_check: 'pass' },
          country: f.card.country, exp_month: f.card.expMonth, exp_year: f.card.expYear, funding: f.card.funding,
          installments: null, last4: f.card.last4, mandate: null, network: f.card.brand, network_token: null,
          network_transaction_id: null, regulated_status: 'unregulated', three_d_secure: null, transaction_link_id: null, wallet: null,
          electronic_commerce_indicator: null,
        },
      },
      receipt_email: f.email, receipt_number: null, receipt_url: `https://pay.stripe.com/receipts/emulator/${this.id('charge', n)}`,
      refunded: ch.amountRefunded >= ch.amount && ch.amount > 0,
      refunds: list(refunds, `/v1/charges/${this.id('charge', n)}/refunds`), review: null, shipping: null, source: null,
      source_transfer: null, statement_descriptor: null, statement_descriptor_suffix: null,
      status: ch.succeeded ? 'succeeded' : 'failed', transfer_data: null, transfer_group: null,
    };
  }

  refund(n: number): StripeObject {
    const r = this.facts.refunds[n];
    if (!r) throw new Error(`no refund ${n}`);
    const ch = this.facts.charges[r.charge];
    const inv = ch ? this.facts.invoices[ch.invoice] : undefined;
    return {
      id: this.id('refund', n), object: 'refund', amount: r.amount, balance_transaction: this.id('txn', r.txn),
      charge: this.id('charge', r.charge), created: r.created, currency: inv ? planOfPrice(inv.priceIdx).currency : this.facts.currency,
      customer: this.customerId, customer_account: null, metadata: {}, payment_intent: null, payment_method: null,
      reason: 'requested_by_customer', receipt_number: null, source_transfer_reversal: null, status: 'succeeded', transfer_reversal: null,
    };
  }

  dispute(n: number): StripeObject {
    const d = this.facts.disputes[n];
    if (!d) throw new Error(`no dispute ${n}`);
    const ch = this.facts.charges[d.charge];
    const inv = ch ? this.facts.invoices[ch.invoice] : undefined;
    const nullEvidence = Object.fromEntries([
      'access_activity_log', 'billing_address', 'cancellation_policy', 'cancellation_policy_disclosure', 'cancellation_rebuttal',
      'customer_communication', 'customer_email_address', 'customer_name', 'customer_purchase_ip', 'customer_signature',
      'duplicate_charge_documentation', 'duplicate_charge_explanation', 'duplicate_charge_id', 'product_description', 'receipt',
      'refund_policy', 'refund_policy_disclosure', 'refund_refusal_explanation', 'service_date', 'service_documentation',
      'shipping_address', 'shipping_carrier', 'shipping_date', 'shipping_documentation', 'shipping_tracking_number',
      'uncategorized_file', 'uncategorized_text',
    ].map((k) => [k, null]));
    return {
      id: this.id('dispute', n), object: 'dispute', amount: d.amount, balance_transactions: [this.txn(d.txn)],
      charge: this.id('charge', d.charge), created: d.created, currency: inv ? planOfPrice(inv.priceIdx).currency : this.facts.currency,
      enhanced_eligibility_types: [], evidence: { ...nullEvidence, enhanced_evidence: {} },
      evidence_details: { due_by: d.created + 21 * 86400, enhanced_eligibility: {}, has_evidence: false, past_due: false, submission_count: 0, submission_method: 'not_submitted' },
      intended_submission_method: null,
      is_charge_refundable: false, livemode: false, metadata: {}, payment_intent: null,
      payment_method_details: { card: { brand: this.facts.card.brand, case_type: 'chargeback', network: this.facts.card.brand, network_reason_code: '10.4' }, type: 'card' },
      reason: 'fraudulent', status: d.status,
    };
  }

  txn(n: number): StripeObject {
    const t = this.facts.txns[n];
    if (!t) throw new Error(`no balance transaction ${n}`);
    const sourceId = t.kind === 'charge' ? this.id('charge', t.source) : t.kind === 'refund' ? this.id('refund', t.source) : this.id('dispute', t.source);
    const type = t.kind === 'charge' ? 'charge' : t.kind === 'refund' ? 'refund' : 'adjustment';
    return {
      id: this.id('txn', n), object: 'balance_transaction', amount: t.amount, available_on: t.created + 7 * 86400,
      balance_type: 'payments', created: t.created, currency: 'gbp',
      description: t.kind === 'charge' ? 'Subscription payment' : t.kind === 'refund' ? 'REFUND FOR CHARGE' : 'Chargeback withdrawal',
      exchange_rate: t.exchangeRate, fee: t.fee,
      fee_details: t.fee === 0 ? [] : [{ amount: t.fee, application: null, currency: 'gbp', description: t.kind === 'dispute' ? 'Dispute fee' : 'Stripe processing fees', type: 'stripe_fee' }],
      net: t.amount - t.fee, reporting_category: t.kind === 'dispute' ? 'dispute' : t.kind, source: sourceId,
      status: t.created + 7 * 86400 < this.ctx.now ? 'available' : 'pending', type,
    };
  }

  objectFor(kind: ObjectKind, n: number): StripeObject {
    switch (kind) {
      case 'customer': return this.customer();
      case 'subscription': return this.subscription(n);
      case 'invoice': return this.invoice(n);
      case 'charge': return this.charge(n);
      case 'refund': return this.refund(n);
      case 'dispute': return this.dispute(n);
    }
  }

  event(n: number): StripeObject {
    const e = this.facts.events[n];
    if (!e) throw new Error(`no event ${n}`);
    return buildEvent(this.ctx, this.id('event', n), e, this.objectFor(e.kind, e.ref), previousAttributes(this.ctx, e, (i) => this.shown(i)));
  }
}

function previousAttributes(ctx: HistoryContext, e: EventFacts, shown: (priceIdx: number) => number): Record<string, unknown> | null {
  if (!e.previous) return null;
  const out: Record<string, unknown> = { ...e.previous };
  if (typeof out['plan'] === 'number') {
    out['items'] = { data: [{ price: withoutIncludable(buildPrice(ctx, shown(out['plan']))) }] };
    delete out['plan'];
  }
  if (typeof out['quantity'] === 'number') {
    out['items'] = { data: [{ quantity: out['quantity'] }] };
    delete out['quantity'];
  }
  return out;
}

export function buildEvent(ctx: HistoryContext, id: string, e: { type: string; created: number }, object: StripeObject, previous: Record<string, unknown> | null): StripeObject {
  const data: StripeObject = { object };
  if (previous) data['previous_attributes'] = previous;
  return {
    id, object: 'event', account: ctx.accountId, api_version: STRIPE_API_VERSION, created: e.created, data, livemode: false,
    pending_webhooks: 0, request: { id: null, idempotency_key: null }, type: e.type,
  };
}

export { TAX_RATE_PERCENT, couponId };
