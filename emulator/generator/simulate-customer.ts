// Simulates one customer's whole life from a seed: sign-up, trials, renewals, plan changes, pauses,
// failed payments and dunning, churn, reactivation, refunds and disputes. Pure and deterministic:
// (seed, customer index, now) → the same facts every time, so any object can be rebuilt on demand.
import {
  COUPONS, PLANS, TAX_RATE_PERCENT, exchangeRateToGbp, localAmount, planOfPrice, priceAmount, priceIndex,
} from './catalog.js';
import type { Currency } from './catalog.js';
import { DAY, addMonths, periodBoundary } from './calendar.js';
import type { ChargeFacts, CustomerFacts, EventFacts, InvoiceFacts, ObjectKind, SubFacts } from './facts.js';
import { createRng, hashSeed } from './rng.js';
import type { Rng } from './rng.js';

export interface SimulationSettings {
  seed: number;
  now: number;
  historyStart: number;
  /** Events older than this are not kept (Stripe keeps 30 days); a small margin is added by the caller. */
  eventsFrom: number;
}

const FIRST = ['Ada', 'Ben', 'Chloe', 'Dev', 'Elif', 'Finn', 'Grace', 'Hiro', 'Isla', 'Jon', 'Kemi', 'Luca', 'Maya', 'Nia', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sam', 'Tariq'];
const LAST = ['Adams', 'Brown', 'Chen', 'Dubois', 'Evans', 'Fischer', 'Garcia', 'Hughes', 'Ito', 'Jones', 'Khan', 'Lopez', 'Moore', 'Novak', 'Okafor', 'Patel', 'Rossi', 'Smith', 'Taylor', 'Walsh'];
const BRANDS = ['visa', 'mastercard', 'amex'];

const CHURN_PER_PERIOD = 0.03;
const FIRST_PAYMENT_FAILS = 0.07;
const RETRY_SUCCEEDS = 0.5;
const RETRY_DELAYS = [3 * DAY, 5 * DAY, 7 * DAY];

class Simulation {
  readonly rng: Rng;
  readonly facts: CustomerFacts;

  constructor(readonly settings: SimulationSettings, index: number) {
    this.rng = createRng(hashSeed(settings.seed, 'customer', index));
    const rng = this.rng;
    // Square root skews sign-ups towards recent months: a growing business.
    const span = settings.now - settings.historyStart;
    const created = settings.historyStart + Math.floor(Math.sqrt(rng.next()) * span * 0.999);
    const currency: Currency = rng.chance(0.6) ? 'gbp' : rng.chance(0.6) ? 'usd' : 'eur';
    const first = rng.pick(FIRST);
    const last = rng.pick(LAST);
    const country = currency === 'gbp' ? 'GB' : currency === 'usd' ? 'US' : rng.pick(['DE', 'FR', 'IE', 'NL']);
    this.facts = {
      index,
      created,
      currency,
      name: `${first} ${last}`,
      email: `${first.toLowerCase()}.${last.toLowerCase()}.${index}@example.com`,
      country,
      // Customer-level discounts are rarer than subscription-level ones; amount_off coupons are GBP-only.
      coupon: rng.chance(0.05) ? (currency === 'gbp' ? rng.int(0, COUPONS.length - 1) : rng.pick([0, 1, 2, 4])) : null,
      taxed: currency !== 'usd' && rng.chance(0.4),
      card: {
        brand: rng.pick(BRANDS),
        country,
        last4: String(rng.int(0, 9999)).padStart(4, '0'),
        expMonth: rng.int(1, 12),
        expYear: new Date(settings.now * 1000).getUTCFullYear() + rng.int(0, 5),
        funding: rng.chance(0.8) ? 'credit' : 'debit',
      },
      subs: [], invoices: [], charges: [], refunds: [], disputes: [], txns: [], events: [],
    };
  }

  event(type: string, created: number, kind: ObjectKind, ref: number, previous: Record<string, unknown> | null = null): void {
    if (created < this.settings.eventsFrom || created > this.settings.now) return;
    this.facts.events.push({ n: this.facts.events.length, type, created, kind, ref, previous } satisfies EventFacts);
  }

  run(): CustomerFacts {
    const { rng, facts, settings } = this;
    this.event('customer.created', facts.created, 'customer', 0);
    if (!rng.chance(0.9)) return facts;
    let start = facts.created;
    let plan = this.choosePlan();
    for (let attempt = 0; attempt < 3 && start <= settings.now; attempt++) {
      const trial = attempt === 0 && rng.chance(0.3);
      const sub = this.subscription(start, plan, trial);
      if (sub.endedAt === null || sub.status !== 'canceled') break;
      // Reactivation: some churned customers come back months later, often on another plan.
      if (!rng.chance(0.25)) break;
      start = sub.endedAt + rng.int(20, 200) * DAY;
      plan = this.choosePlan();
    }
    return facts;
  }

  choosePlan(): number {
    const r = this.rng.next();
    if (r < 0.3) return 0;
    if (r < 0.4) return 1;
    if (r < 0.6) return 2;
    if (r < 0.65) return 3;
    if (r < 0.72) return 4;
    if (r < 0.85) return 5;
    if (r < 0.95) return 6;
    return 7;
  }

  subscription(start: number, planIdx: number, trial: boolean): SubFacts {
    const { rng, facts, settings } = this;
    const now = settings.now;
    const priceIdx = priceIndex(planIdx, facts.currency);
    const plan = PLANS[planIdx];
    if (!plan) throw new Error('plan');
    const coupon = rng.chance(0.15) ? (facts.currency === 'gbp' ? rng.int(0, COUPONS.length - 1) : rng.pick([0, 1, 2, 4])) : null;
    const sub: SubFacts = {
      n: facts.subs.length, created: start, priceIdx, quantity: plan.seats ? rng.int(1, 30) : 1, itemCreated: start,
      status: 'active', trialStart: null, trialEnd: null, cancelAtPeriodEnd: false, cancelAt: null, canceledAt: null,
      endedAt: null, cancelReason: null, pauseResumesAt: null, coupon, couponStart: start, anchor: start,
      periodStart: start, periodEnd: start, latestInvoice: null,
    };
    facts.subs.push(sub);
    this.event('customer.subscription.created', start, 'subscription', sub.n);

    let periodStart = start;
    let reason: 'subscription_create' | 'subscription_cycle' = 'subscription_create';
    if (trial) {
      const trialEnd = start + 14 * DAY;
      sub.trialStart = start;
      sub.trialEnd = trialEnd;
      this.invoice(sub, start, trialEnd, 'subscription_create', true);
      reason = 'subscription_cycle';
      if (trialEnd > now) {
        sub.status = 'trialing';
        sub.periodEnd = trialEnd;
        return sub;
      }
      if (rng.chance(0.3)) {
        // Trial lapsed without a payment method: Stripe cancels at trial end.
        sub.status = 'canceled';
        sub.canceledAt = trialEnd;
        sub.endedAt = trialEnd;
        sub.cancelReason = 'cancellation_requested';
        sub.periodEnd = trialEnd;
        this.event('customer.subscription.deleted', trialEnd, 'subscription', sub.n);
        return sub;
      }
      this.event('customer.subscription.updated', trialEnd, 'subscription', sub.n, { status: 'trialing' });
      periodStart = trialEnd;
      sub.anchor = trialEnd;
    }

    let k = 0;
    for (let cycle = 1; ; cycle++) {
      // A plan change starts a new billing cycle at the boundary (the interval may differ).
      if (cycle > 1 && this.maybeChangePlan(sub, periodStart)) {
        sub.anchor = periodStart;
        k = 0;
      }
      k++;
      const current = planOfPrice(sub.priceIdx).plan;
      const periodEnd = periodBoundary(sub.anchor, current.interval, current.intervalCount, k);
      sub.periodStart = periodStart;
      sub.periodEnd = periodEnd;
      const paused = sub.pauseResumesAt !== null && periodStart < sub.pauseResumesAt;
      if (!paused && cycle > 1 && rng.chance(0.01) && sub.status === 'active') {
        sub.pauseResumesAt = periodBoundary(sub.anchor, current.interval, current.intervalCount, k + rng.int(1, 2));
        this.event('customer.subscription.updated', periodStart, 'subscription', sub.n, { pause_collection: null });
      }
      const isPaused = sub.pauseResumesAt !== null && periodStart < sub.pauseResumesAt;
      const invoice = this.invoice(sub, periodStart, periodEnd, reason, false, isPaused);
      reason = 'subscription_cycle';
      if (sub.pauseResumesAt !== null && sub.pauseResumesAt <= periodEnd && sub.pauseResumesAt <= now) sub.pauseResumesAt = null;
      if (invoice.status === 'uncollectible') return sub; // dunning exhausted: subscription canceled
      if (rng.chance(CHURN_PER_PERIOD)) {
        const at = periodStart + Math.floor(rng.next() * (periodEnd - periodStart));
        if (at <= now) {
          sub.canceledAt = at;
          sub.cancelReason = 'cancellation_requested';
          if (rng.chance(0.5)) {
            sub.status = 'canceled';
            sub.endedAt = at;
            this.event('customer.subscription.deleted', at, 'subscription', sub.n);
            return sub;
          }
          sub.cancelAtPeriodEnd = true;
          sub.cancelAt = periodEnd;
          this.event('customer.subscription.updated', at, 'subscription', sub.n, { cancel_at_period_end: false, cancel_at: null, canceled_at: null });
          if (periodEnd <= now) {
            sub.status = 'canceled';
            sub.endedAt = periodEnd;
            this.event('customer.subscription.deleted', periodEnd, 'subscription', sub.n);
          }
          return sub;
        }
      }
      if (periodEnd > now) return sub;
      periodStart = periodEnd;
    }
  }

  /** True when the price changed (quantity changes keep the billing cycle). */
  maybeChangePlan(sub: SubFacts, at: number): boolean {
    const { rng, facts } = this;
    const { plan, planIdx } = planOfPrice(sub.priceIdx);
    if (plan.seats) {
      if (rng.chance(0.12)) {
        const previous = sub.quantity;
        sub.quantity = Math.max(1, sub.quantity + (rng.chance(0.65) ? rng.int(1, 5) : -rng.int(1, 3)));
        if (sub.quantity !== previous) this.event('customer.subscription.updated', at, 'subscription', sub.n, { quantity: previous });
      }
      return false;
    }
    const upgrade = rng.chance(0.04);
    const downgrade = !upgrade && rng.chance(0.015);
    if (!upgrade && !downgrade) return false;
    const target = PLANS.findIndex((p) => p.family === plan.family && p.rank === plan.rank + (upgrade ? 1 : -1));
    if (target < 0 || target === planIdx) return false;
    const previousPrice = sub.priceIdx;
    sub.priceIdx = priceIndex(target, facts.currency);
    sub.itemCreated = at;
    this.event('customer.subscription.updated', at, 'subscription', sub.n, { plan: previousPrice });
    return true;
  }

  discountFor(sub: SubFacts, at: number, subtotal: number): { amount: number; source: 'sub' | 'customer' | null } {
    const { facts } = this;
    const candidates: Array<['sub' | 'customer', number | null, number]> = [
      ['sub', sub.coupon, sub.couponStart],
      ['customer', facts.coupon, facts.created],
    ];
    for (const [source, couponIdx, since] of candidates) {
      if (couponIdx === null) continue;
      const coupon = COUPONS[couponIdx];
      if (!coupon) continue;
      if (coupon.duration === 'once' && facts.invoices.some((i) => i.discountSource === source && i.total > 0 && i.sub === sub.n)) continue;
      if (coupon.duration === 'repeating' && at >= addMonths(since, coupon.durationInMonths ?? 0)) continue;
      const amount = coupon.percentOff !== null
        ? Math.round((subtotal * coupon.percentOff) / 100)
        : Math.min(subtotal, localAmount(coupon.amountOffGbp ?? 0, facts.currency));
      return { amount, source };
    }
    return { amount: 0, source: null };
  }

  invoice(sub: SubFacts, periodStart: number, periodEnd: number, reason: InvoiceFacts['billingReason'], trialInvoice: boolean, paused = false): InvoiceFacts {
    const { facts, rng, settings } = this;
    const subtotal = trialInvoice ? 0 : priceAmount(sub.priceIdx, sub.quantity);
    const discount = subtotal > 0 ? this.discountFor(sub, periodStart, subtotal) : { amount: 0, source: null };
    const taxable = subtotal - discount.amount;
    const tax = facts.taxed ? Math.round((taxable * TAX_RATE_PERCENT) / 100) : 0;
    const invoice: InvoiceFacts = {
      n: facts.invoices.length, sub: sub.n, created: periodStart, periodStart, periodEnd, priceIdx: sub.priceIdx,
      quantity: sub.quantity, subtotal, discount: discount.amount, discountSource: discount.source, tax,
      total: taxable + tax, status: 'paid', paidAt: periodStart, voidedAt: null, uncollectibleAt: null, attemptCount: 0,
      nextPaymentAttempt: null, billingReason: reason, charges: [],
    };
    facts.invoices.push(invoice);
    sub.latestInvoice = invoice.n;
    this.event('invoice.created', periodStart, 'invoice', invoice.n);
    if (paused) {
      invoice.status = 'void';
      invoice.paidAt = null;
      invoice.voidedAt = periodStart + 3600;
      this.event('invoice.voided', invoice.voidedAt, 'invoice', invoice.n);
      return invoice;
    }
    if (invoice.total === 0) {
      this.event('invoice.paid', periodStart, 'invoice', invoice.n);
      return invoice;
    }
    let at = periodStart + 3600;
    let succeeded = !rng.chance(FIRST_PAYMENT_FAILS);
    invoice.attemptCount = 1;
    this.charge(invoice, at, succeeded);
    if (!succeeded) {
      invoice.status = 'open';
      invoice.paidAt = null;
      this.event('invoice.payment_failed', at, 'invoice', invoice.n);
      if (sub.status !== 'past_due') {
        this.event('customer.subscription.updated', at, 'subscription', sub.n, { status: sub.status });
        sub.status = 'past_due';
      }
      for (const delay of RETRY_DELAYS) {
        const retryAt = at + delay;
        if (retryAt > settings.now) {
          invoice.nextPaymentAttempt = retryAt;
          return invoice;
        }
        at = retryAt;
        invoice.attemptCount++;
        succeeded = rng.chance(RETRY_SUCCEEDS);
        this.charge(invoice, at, succeeded);
        if (succeeded) break;
        this.event('invoice.payment_failed', at, 'invoice', invoice.n);
      }
      if (!succeeded) {
        // Dunning exhausted: invoice marked uncollectible and the subscription canceled.
        invoice.status = 'uncollectible';
        invoice.uncollectibleAt = at;
        sub.status = 'canceled';
        sub.canceledAt = at;
        sub.endedAt = at;
        sub.cancelReason = 'payment_failed';
        this.event('customer.subscription.deleted', at, 'subscription', sub.n);
        return invoice;
      }
      invoice.status = 'paid';
      invoice.paidAt = at;
      this.event('customer.subscription.updated', at, 'subscription', sub.n, { status: 'past_due' });
      sub.status = 'active';
    }
    invoice.paidAt = at;
    this.event('invoice.paid', at, 'invoice', invoice.n);
    return invoice;
  }

  charge(invoice: InvoiceFacts, at: number, succeeded: boolean): ChargeFacts {
    const { facts, rng, settings } = this;
    const baitCustomer = facts.index % 30 === 11;
    const charge: ChargeFacts = {
      n: facts.charges.length, invoice: invoice.n, created: at, amount: invoice.total, succeeded,
      failureCode: succeeded ? null : rng.pick(['card_declined', 'insufficient_funds', 'expired_card']),
      amountRefunded: 0, disputed: false, txn: null,
      bait: succeeded && baitCustomer && !facts.charges.some((c) => c.bait),
    };
    facts.charges.push(charge);
    invoice.charges.push(charge.n);
    this.event(succeeded ? 'charge.succeeded' : 'charge.failed', at, 'charge', charge.n);
    if (!succeeded) return charge;
    const rate = exchangeRateToGbp(facts.currency, at);
    const settled = Math.round(charge.amount * rate);
    // UK pricing: 1.5% + 20p for domestic cards, 3.25% + 20p (incl. conversion) otherwise.
    const fee = Math.round(settled * (facts.currency === 'gbp' ? 0.015 : 0.0325)) + 20;
    charge.txn = facts.txns.length;
    facts.txns.push({ n: charge.txn, kind: 'charge', source: charge.n, created: at, amount: settled, fee, exchangeRate: facts.currency === 'gbp' ? null : rate });
    if (rng.chance(0.02)) {
      const refundAt = at + rng.int(1, 20) * DAY;
      if (refundAt <= settings.now) {
        const amount = rng.chance(0.6) ? charge.amount : Math.max(1, Math.round(charge.amount / 2));
        charge.amountRefunded = amount;
        const txn = facts.txns.length;
        facts.txns.push({ n: txn, kind: 'refund', source: facts.refunds.length, created: refundAt, amount: -Math.round(amount * rate), fee: 0, exchangeRate: facts.currency === 'gbp' ? null : rate });
        facts.refunds.push({ n: facts.refunds.length, charge: charge.n, created: refundAt, amount, txn });
        this.event('charge.refunded', refundAt, 'charge', charge.n);
        this.event('refund.created', refundAt, 'refund', facts.refunds.length - 1);
      }
    } else if (rng.chance(0.005)) {
      const disputeAt = at + rng.int(5, 40) * DAY;
      if (disputeAt <= settings.now) {
        charge.disputed = true;
        const txn = facts.txns.length;
        // Stripe debits the disputed amount plus a £20 dispute fee.
        facts.txns.push({ n: txn, kind: 'dispute', source: facts.disputes.length, created: disputeAt, amount: -settled, fee: 2000, exchangeRate: facts.currency === 'gbp' ? null : rate });
        const age = settings.now - disputeAt;
        const status = age < 7 * DAY ? 'needs_response' : age < 30 * DAY ? 'under_review' : rng.chance(0.4) ? 'won' : 'lost';
        facts.disputes.push({ n: facts.disputes.length, charge: charge.n, created: disputeAt, amount: charge.amount, status, txn });
        this.event('charge.dispute.created', disputeAt, 'dispute', facts.disputes.length - 1);
      }
    }
    return charge;
  }
}

export function simulateCustomer(settings: SimulationSettings, index: number): CustomerFacts {
  return new Simulation(settings, index).run();
}

