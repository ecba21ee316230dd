// The shapes of the dashboard's main answers (docs/metrics-api.md) as TypeBox schemas: the one place both the
// server (queries.ts, via Static<>) and the web app (web/src/pages/dashboards/metrics-api.ts, as type-only
// imports) take them from, so the two cannot drift apart. analytics.test.ts checks real answers against them.
// Types only flow to the web: importing this module there at runtime would pull TypeBox into the bundle.
import { Type, type Static, type TSchema } from 'typebox';

export const DaySchema = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD in the organisation’s timezone' });
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

export const MrrRowSchema = Type.Object({
  ...Period,
  currency: Type.String(),
  mrr: Money,
  startMrr: Money,
  new: Money,
  expansion: Money,
  contraction: Money,
  churn: Money,
  reactivation: Money,
  currencyAdjustment: Money,
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
