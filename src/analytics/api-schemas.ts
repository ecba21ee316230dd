// The shapes of the dashboard's main answers (docs/metrics-api.md) as TypeBox schemas: the one place both the
// server (queries.ts, via Static<>) and the web app (web/src/pages/dashboards/metrics-api.ts, as type-only
// imports) take them from, so the two cannot drift apart. analytics.test.ts checks real answers against them.
// Types only flow to the web: importing this module there at runtime would pull TypeBox into the bundle.
import { Type, type Static, type TSchema } from 'typebox';
import { DAY_PATTERN, Nullable } from '../http/schema-primitives.js';
import { FxSourceSchema } from './fx-schemas.js';

export const DaySchema = Type.String({ pattern: DAY_PATTERN, description: 'YYYY-MM-DD in the organisation’s timezone' });
const Day = DaySchema;
const Money = Type.Integer({ description: 'minor units of the reporting currency' });
const Count = Type.Integer();

export const RatioSchema = Type.Object({ numerator: Type.Number(), denominator: Type.Number(), value: Type.Union([Type.Number(), Type.Null()]) });
export type Ratio = Static<typeof RatioSchema>;

export const StatusViewSchema = Type.Object({
  state: Type.Union([Type.Literal('empty'), Type.Literal('computing'), Type.Literal('ready'), Type.Literal('failed')]),
  version: Count,
  currency: Type.String(),
  timezone: Type.String(),
  from: Type.Union([Day, Type.Null()]),
  to: Type.Union([Day, Type.Null()]),
  computedAt: Type.Union([Type.String(), Type.Null()]),
  lastIncrementalAt: Type.Union([Type.String(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  warnings: Type.Array(Type.String()),
});
export type StatusView = Static<typeof StatusViewSchema>;

export const LtvSchema = Type.Object({ value: Money, lifetimeMonths: Type.Number(), capped: Type.Boolean() });

export const HeadlineSchema = Type.Object({ date: Day, mrr: Money, arr: Money, customers: Count, arpa: Money, ltv: LtvSchema });
export type Headline = Static<typeof HeadlineSchema>;

export const SummaryViewSchema = Type.Object({
  ...HeadlineSchema.properties,
  currency: Type.String(),
  customerChurnRate: RatioSchema,
  previous: HeadlineSchema,
  change: Type.Object({ mrr: Money, arr: Money, customers: Count, arpa: Money, ltv: Money }),
  asOf: Type.Union([Type.String(), Type.Null()]),
});
export type SummaryView = Static<typeof SummaryViewSchema>;

const Period = { date: Day, from: Day, to: Day };
/** The MRR movements of a period or a day, by kind (docs/metrics.md): their sum is the change in MRR. */
const Movements = { new: Money, expansion: Money, contraction: Money, churn: Money, reactivation: Money, currencyAdjustment: Money };

export const MrrRowSchema = Type.Object({
  ...Period,
  currency: Type.String(),
  mrr: Money,
  startMrr: Money,
  ...Movements,
  customers: Count,
  newCustomers: Count,
  churnedCustomers: Count,
  reactivatedCustomers: Count,
});
export type MrrRow = Static<typeof MrrRowSchema>;

export const ChurnRowSchema = Type.Object({
  ...Period,
  currency: Type.String(),
  startMrr: Money,
  startCustomers: Count,
  churnedCustomers: Count,
  churnedMrr: Money,
  contractionMrr: Money,
  expansionMrr: Money,
  reactivationMrr: Money,
  customerChurnRate: RatioSchema,
  grossMrrChurnRate: RatioSchema,
  netMrrChurnRate: RatioSchema,
  nrr: RatioSchema,
  grr: RatioSchema,
});
export type ChurnRow = Static<typeof ChurnRowSchema>;

const kpi = <T extends TSchema>(value: T) => Type.Object({ value, previous: value, change: Type.Union([Type.Number(), Type.Null()]) });
const MoneyKpi = kpi(Money);
const RatioKpi = kpi(RatioSchema);
export type Kpi<T = number> = { value: T; previous: T; change: number | null };

export const KpisViewSchema = Type.Object({
  currency: Type.String(),
  from: Day,
  to: Day,
  previousFrom: Day,
  previousTo: Day,
  kpis: Type.Object({
    mrr: MoneyKpi,
    arr: MoneyKpi,
    customers: MoneyKpi,
    arpa: MoneyKpi,
    ltv: MoneyKpi,
    newMrr: MoneyKpi,
    churnedMrr: MoneyKpi,
    netNewMrr: MoneyKpi,
    newCustomers: MoneyKpi,
    churnedCustomers: MoneyKpi,
    refunds: MoneyKpi,
    netCash: MoneyKpi,
    recoveredRevenue: MoneyKpi,
    customerChurnRate: RatioKpi,
    grossMrrChurnRate: RatioKpi,
    netMrrChurnRate: RatioKpi,
    nrr: RatioKpi,
    grr: RatioKpi,
    trialConversion: RatioKpi,
    failedPaymentRate: RatioKpi,
  }),
});
export type KpisView = Static<typeof KpisViewSchema>;

// ------------------------------------------------------------------------------------------------ the other pages

const Month = Type.String({ pattern: '^\\d{4}-\\d{2}$', description: 'YYYY-MM' });
const Timestamp = Type.String({ description: 'ISO 8601 timestamp (UTC)' });
/** amounts per original currency (ISO code → minor units of that currency) */
const NativeMoney = Type.Record(Type.String(), Money);

export const MovementKindSchema = Type.Union([
  Type.Literal('new'), Type.Literal('expansion'), Type.Literal('contraction'), Type.Literal('churn'), Type.Literal('reactivation'), Type.Literal('currencyAdjustment'),
]);
export type MovementKind = Static<typeof MovementKindSchema>;

export const CohortCellSchema = Type.Object({
  offset: Count,
  month: Month,
  customers: Count,
  mrr: Money,
  customerRetention: RatioSchema,
  mrrRetention: RatioSchema,
});
export type CohortCell = Static<typeof CohortCellSchema>;

export const CohortSchema = Type.Object({
  month: Month,
  currency: Type.String(),
  size: Count,
  initialMrr: Money,
  cells: Type.Array(CohortCellSchema),
});
export type Cohort = Static<typeof CohortSchema>;

export const TrialRowSchema = Type.Object({ ...Period, trials: Count, converted: Count, rate: RatioSchema });
export type TrialRow = Static<typeof TrialRowSchema>;

/** Cash in a period (reporting currency): charges and refunds from balance transactions, Stripe's fees, and what is left. */
/** `disputes`: withdrawn by disputes less won disputes' reversals (may be negative); net = charges − refunds − disputes − fees. */
export const CashRowSchema = Type.Object({ ...Period, currency: Type.String(), charges: Money, refunds: Money, disputes: Money, fees: Money, net: Money });
export type CashRow = Static<typeof CashRowSchema>;

export const FailedPaymentRowSchema = Type.Object({
  ...Period,
  currency: Type.String(),
  attempted: Count,
  failed: Count,
  rate: RatioSchema,
  recoveredInvoices: Count,
  recoveredRevenue: Money,
});
export type FailedPaymentRow = Static<typeof FailedPaymentRowSchema>;

export const PlanRowSchema = Type.Object({
  priceId: Type.String(),
  productId: Nullable(Type.String()),
  productName: Nullable(Type.String()),
  nickname: Nullable(Type.String()),
  currency: Type.String(),
  /** null when the price is not in the synced data */
  interval: Nullable(Type.String()),
  intervalCount: Nullable(Count),
  subscriptions: Count,
  customers: Count,
  mrr: Money,
  /** minor units of the plan's own `currency` */
  nativeMrr: Money,
  share: RatioSchema,
});
export type PlanRow = Static<typeof PlanRowSchema>;

export const CustomerStatusSchema = Type.Union([Type.Literal('active'), Type.Literal('trialing'), Type.Literal('churned'), Type.Literal('never')]);
export type CustomerStatus = Static<typeof CustomerStatusSchema>;

export const CustomerItemSchema = Type.Object({
  id: Type.String(),
  accountId: Nullable(Type.String()),
  name: Nullable(Type.String()),
  email: Nullable(Type.String()),
  country: Nullable(Type.String()),
  status: CustomerStatusSchema,
  mrr: Money,
  native: NativeMoney,
  currencies: Type.Array(Type.String()),
  plans: Type.Array(Type.String()),
  billingIntervals: Type.Array(Type.String()),
  firstPaidDate: Nullable(Day),
  createdAt: Nullable(Timestamp),
});
export type CustomerItem = Static<typeof CustomerItemSchema>;

const PageProps = { currency: Type.String(), total: Count, page: Count, pageSize: Count };

export const CustomerPageSchema = Type.Object({ ...PageProps, items: Type.Array(CustomerItemSchema) });
export type CustomerPage = Static<typeof CustomerPageSchema>;

export const TimelinePointSchema = Type.Object({
  date: Day,
  mrr: Money,
  native: NativeMoney,
  /** the day's one movement kind; 'mixed' when several, null when none */
  kind: Type.Union([MovementKindSchema, Type.Literal('mixed'), Type.Null()]),
  ...Movements,
});
export type TimelinePoint = Static<typeof TimelinePointSchema>;

export const SubscriptionItemViewSchema = Type.Object({
  priceId: Nullable(Type.String()),
  productId: Nullable(Type.String()),
  productName: Nullable(Type.String()),
  quantity: Nullable(Count),
  interval: Nullable(Type.String()),
  intervalCount: Nullable(Count),
  /** minor units of `currency`; null for tiered or decimal-only prices */
  unitAmount: Nullable(Money),
  currency: Type.String(),
});
export type SubscriptionItemView = Static<typeof SubscriptionItemViewSchema>;

export const SubscriptionViewSchema = Type.Object({
  id: Type.String(),
  status: Nullable(Type.String()),
  currency: Type.String(),
  mrr: Money,
  /** minor units of the subscription's own `currency` */
  nativeMrr: Money,
  startDate: Nullable(Timestamp),
  trialEnd: Nullable(Timestamp),
  cancelAtPeriodEnd: Type.Boolean(),
  cancelAt: Nullable(Timestamp),
  canceledAt: Nullable(Timestamp),
  endedAt: Nullable(Timestamp),
  currentPeriodEnd: Nullable(Timestamp),
  items: Type.Array(SubscriptionItemViewSchema),
});
export type SubscriptionView = Static<typeof SubscriptionViewSchema>;

export const InvoiceViewSchema = Type.Object({
  id: Type.String(),
  number: Nullable(Type.String()),
  status: Nullable(Type.String()),
  currency: Type.String(),
  /** minor units of the invoice's own `currency` */
  amountDue: Money,
  amountPaid: Money,
  total: Money,
  created: Nullable(Timestamp),
  periodStart: Nullable(Timestamp),
  periodEnd: Nullable(Timestamp),
  attemptCount: Count,
});
export type InvoiceView = Static<typeof InvoiceViewSchema>;

export const StripeEventViewSchema = Type.Object({ id: Type.String(), type: Type.String(), created: Nullable(Timestamp) });
export type StripeEventView = Static<typeof StripeEventViewSchema>;

export const CustomerDetailSchema = Type.Object({
  customer: Type.Object({ ...CustomerItemSchema.properties, metadata: Type.Record(Type.String(), Type.String()) }),
  currency: Type.String(),
  timeline: Type.Array(TimelinePointSchema),
  subscriptions: Type.Array(SubscriptionViewSchema),
  invoices: Type.Array(InvoiceViewSchema),
  events: Type.Array(StripeEventViewSchema),
});
export type CustomerDetail = Static<typeof CustomerDetailSchema>;

export const MovementItemSchema = Type.Object({
  date: Day,
  customerId: Type.String(),
  accountId: Nullable(Type.String()),
  name: Nullable(Type.String()),
  email: Nullable(Type.String()),
  kind: MovementKindSchema,
  amount: Money,
  /** the customer's MRR after the movement */
  mrr: Money,
  native: NativeMoney,
});
export type MovementItem = Static<typeof MovementItemSchema>;

export const MovementPageSchema = Type.Object({ ...PageProps, totalAmount: Money, items: Type.Array(MovementItemSchema) });
export type MovementPage = Static<typeof MovementPageSchema>;

// ---------------------------------------------------------------------------------------------- settings

const Strings = Type.Array(Type.String());
const StringMap = Type.Record(Type.String(), Type.String());

/** The organisation's metric settings (GET and PUT /api/orgs/:orgId/metrics/settings; docs/metrics-api.md). */
export const SettingsViewSchema = Type.Object({
  reportingCurrency: Type.String(),
  timezone: Type.String(),
  preset: Type.Union([Type.Literal('mowt'), Type.Literal('stripe')]),
  testMode: Type.Union([Type.Literal('auto'), Type.Literal('exclude'), Type.Literal('include')]),
  /** whether test-mode data counts now (what `auto` resolves to) */
  includeTestMode: Type.Boolean(),
  exclude: Type.Object({ customerIds: Strings, customerMetadata: StringMap, planIds: Strings, planMetadata: StringMap }),
  /** Stripe account ids the figures are limited to; null: every connected account */
  accounts: Nullable(Strings),
  ltvMaxLifetimeMonths: Type.Number(),
  fxSource: FxSourceSchema,
  fxImportedAt: Nullable(Type.String()),
  updatedAt: Nullable(Type.String()),
});
export type SettingsView = Static<typeof SettingsViewSchema>;

export const RecomputeQueuedSchema = Type.Object({ queued: Type.Literal(true) });
