// The analytics tables (migration 0007): settings, snapshot state, daily aggregates, customer series and the
// facts behind period metrics. bigint columns come back as strings from node-postgres (numbers from PGlite).
import type { ColumnType } from 'kysely';
import type { FxSource } from './fx-schemas.js';

type Big = ColumnType<string | number, string | number, string | number>;
type Day = ColumnType<string | Date, string, string>;
type DayOrNull = ColumnType<string | Date | null, string | null, string | null>;
type Json<T> = ColumnType<T, string, string>;
type Ts = ColumnType<Date, Date | string, Date | string>;
type TsOrNull = ColumnType<Date | null, Date | string | null, Date | string | null>;

/** Where exchange rates come from: Stripe balance transactions, the imported file, or the file first. */
export type { FxSource };

export interface ExcludeSettings {
  customerIds?: string[];
  customerMetadata?: Record<string, string>;
  planIds?: string[];
  planMetadata?: Record<string, string>;
}

export interface AnalyticsSettingsTable {
  org_id: string;
  preset: 'mowt' | 'stripe';
  test_mode: 'auto' | 'exclude' | 'include';
  exclude: Json<ExcludeSettings>;
  accounts: Json<string[] | null>;
  ltv_max_lifetime_months: number;
  /** where exchange rates come from (migration 0014) */
  fx_source: ColumnType<FxSource, FxSource | undefined, FxSource>;
  fx_imported_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  fx_imported_by: ColumnType<string | null, string | null | undefined, string | null>;
  updated_by: string | null;
  updated_at: Ts;
}

export type SnapshotStatus = 'empty' | 'computing' | 'ready' | 'failed';

export interface AnalyticsStateTable {
  org_id: string;
  version: Big;
  status: SnapshotStatus;
  currency: string | null;
  timezone: string | null;
  range_from: DayOrNull;
  range_to: DayOrNull;
  settings_hash: string | null;
  options: Json<unknown> | null;
  opening_mrr: Big;
  opening_paying: number;
  started_at: TsOrNull;
  computed_at: TsOrNull;
  last_incremental_at: TsOrNull;
  last_error: string | null;
  warnings: Json<string[]>;
  updated_at: Ts;
}

export interface AnalyticsDaysTable {
  org_id: string;
  day: Day;
  mrr: Big;
  paying: number;
  new: Big;
  expansion: Big;
  contraction: Big;
  churn: Big;
  reactivation: Big;
  fx: Big;
  new_customers: number;
  churned_customers: number;
  reactivated_customers: number;
}

export interface AnalyticsCustomersTable {
  org_id: string;
  customer_key: string;
  connection_id: string | null;
  account_id: string | null;
  customer_id: string;
  status: string;
  mrr: Big;
  native: Json<Record<string, number>>;
  first_paid_date: DayOrNull;
  opening_mrr: Big;
  opening_paying: boolean;
  opening_native: Json<Record<string, number>>;
  country: string | null;
  currencies: string[];
  plans: string[];
  billing_intervals: string[];
  plan_mrr: Json<Record<string, PlanContribution>>;
  customer_created: TsOrNull;
  version: Big;
  updated_at: Ts;
}

export interface PlanContribution {
  mrr: number;
  native: number;
  currency: string;
  subscriptions: number;
  /** Each subscription's part of mrr/native, by subscription id (absent in snapshots computed before it was kept). */
  bySubscription?: Record<string, { mrr: number; native: number }>;
}

export interface AnalyticsPointsTable {
  org_id: string;
  customer_key: string;
  day: Day;
  mrr: Big;
  mrr_delta: Big;
  paying: boolean;
  paying_delta: number;
  new: Big;
  expansion: Big;
  contraction: Big;
  churn: Big;
  reactivation: Big;
  fx: Big;
  event: string | null;
  native: Json<Record<string, number>>;
}

export interface AnalyticsFxRatesTable {
  org_id: string;
  currency: string;
  day: Day;
  rate: string;
}

export interface AnalyticsInvoiceFactsTable {
  org_id: string;
  invoice_key: string;
  customer_key: string;
  currency: string;
  amount_due: Big;
  first_attempt_day: DayOrNull;
  first_failed: boolean;
  recovered_day: DayOrNull;
}

export interface AnalyticsCashFactsTable {
  org_id: string;
  txn_key: string;
  customer_key: string | null;
  day: Day;
  type: 'charge' | 'refund' | 'dispute';
  currency: string;
  amount: Big;
  fee: Big;
}

export interface AnalyticsTrialsTable {
  org_id: string;
  subscription_key: string;
  customer_key: string;
  trial_end_day: Day;
  converted_at: ColumnType<string | number | null, number | null, number | null>;
}
