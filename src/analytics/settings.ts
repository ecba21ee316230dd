// Metric settings of an organisation: reporting currency and timezone (the organisation's own columns, also
// changed by PATCH /api/orgs/:orgId), and in analytics_settings the convention preset, test-mode handling,
// exclusions by id or Stripe metadata, and which Stripe accounts are combined. Resolved into EngineOptions.
import crypto from 'node:crypto';
import type { Tx } from '../db/tenant.js';
import { resolveOptions, type EngineOptions } from '../metrics/index.js';
import type { ExcludeSettings, FxSource } from './analytics.table.js';
import { DEFAULT_FX_SOURCE } from './fx-import.js';
import type { Connection } from './load.js';

export type TestMode = 'auto' | 'exclude' | 'include';

export interface MetricSettings {
  reportingCurrency: string;
  timezone: string;
  preset: 'mowt' | 'stripe';
  testMode: TestMode;
  exclude: ExcludeSettings;
  accounts: string[] | null;
  ltvMaxLifetimeMonths: number;
  fxSource: FxSource;
  /** when the current exchange-rate file was imported, and by whom (null: none) */
  fxImportedAt: string | null;
  fxImportedBy: string | null;
  updatedAt: string | null;
}

const parse = <T>(v: unknown, fallback: T): T => {
  if (v === null || v === undefined) return fallback;
  if (typeof v === 'string') {
    try {
      return JSON.parse(v) as T;
    } catch {
      return fallback;
    }
  }
  return v as T;
};

export async function readSettings(tx: Tx, orgId: string): Promise<MetricSettings> {
  const org = await tx.selectFrom('organisations').select(['reporting_currency', 'timezone']).where('id', '=', orgId).executeTakeFirst();
  const row = await tx.selectFrom('analytics_settings').selectAll().where('org_id', '=', orgId).executeTakeFirst();
  return {
    reportingCurrency: (org?.reporting_currency ?? 'GBP').toUpperCase(),
    timezone: org?.timezone ?? 'Europe/London',
    preset: row?.preset ?? 'mowt',
    testMode: row?.test_mode ?? 'auto',
    exclude: parse<ExcludeSettings>(row?.exclude, {}),
    accounts: parse<string[] | null>(row?.accounts, null),
    ltvMaxLifetimeMonths: row?.ltv_max_lifetime_months ?? 60,
    fxSource: row?.fx_source ?? DEFAULT_FX_SOURCE,
    fxImportedAt: row?.fx_imported_at ? new Date(row.fx_imported_at).toISOString() : null,
    fxImportedBy: row?.fx_imported_by ?? null,
    updatedAt: row?.updated_at ? new Date(row.updated_at).toISOString() : null,
  };
}

/**
 * Test-mode data is left out when the organisation has a live-mode Stripe connection ('auto', the default);
 * an organisation that only connected test-mode accounts (trying Mowt with a test key, the built-in demo)
 * sees its test data. 'exclude' and 'include' force either way.
 */
export function excludesTestMode(settings: Pick<MetricSettings, 'testMode'>, connections: Iterable<Connection>): boolean {
  if (settings.testMode === 'include') return false;
  if (settings.testMode === 'exclude') return true;
  return [...connections].some((c) => c.livemode);
}

export function engineOptions(settings: MetricSettings, connections: Iterable<Connection>): EngineOptions {
  const ex = settings.exclude;
  return resolveOptions({
    preset: settings.preset,
    reportingCurrency: settings.reportingCurrency,
    timezone: settings.timezone,
    ltvMaxLifetimeMonths: settings.ltvMaxLifetimeMonths,
    ...(settings.accounts ? { accounts: settings.accounts } : {}),
    exclude: {
      testMode: excludesTestMode(settings, connections),
      ...(ex.customerIds?.length ? { customerIds: ex.customerIds } : {}),
      ...(ex.customerMetadata && Object.keys(ex.customerMetadata).length ? { customerMetadata: ex.customerMetadata } : {}),
      ...(ex.planIds?.length ? { planIds: ex.planIds } : {}),
      ...(ex.planMetadata && Object.keys(ex.planMetadata).length ? { planMetadata: ex.planMetadata } : {}),
    },
  });
}

/** Fingerprint of everything that changes the numbers: a snapshot computed with another one is stale. */
export function settingsHash(options: EngineOptions): string {
  return crypto.createHash('sha256').update(JSON.stringify(options)).digest('hex').slice(0, 32);
}

export interface SettingsPatch {
  reportingCurrency?: string;
  timezone?: string;
  preset?: 'mowt' | 'stripe';
  testMode?: TestMode;
  exclude?: ExcludeSettings;
  accounts?: string[] | null;
  ltvMaxLifetimeMonths?: number;
  fxSource?: FxSource;
}

export async function writeSettings(tx: Tx, orgId: string, patch: SettingsPatch, userId: string | null, now: Date): Promise<void> {
  const org: { reporting_currency?: string; timezone?: string } = {};
  if (patch.reportingCurrency !== undefined) org.reporting_currency = patch.reportingCurrency.toUpperCase();
  if (patch.timezone !== undefined) org.timezone = patch.timezone;
  if (Object.keys(org).length > 0) await tx.updateTable('organisations').set(org).where('id', '=', orgId).execute();
  const current = await readSettings(tx, orgId);
  const next = {
    org_id: orgId,
    preset: patch.preset ?? current.preset,
    test_mode: patch.testMode ?? current.testMode,
    exclude: JSON.stringify(patch.exclude ?? current.exclude),
    accounts: JSON.stringify(patch.accounts === undefined ? current.accounts : patch.accounts),
    ltv_max_lifetime_months: patch.ltvMaxLifetimeMonths ?? current.ltvMaxLifetimeMonths,
    fx_source: patch.fxSource ?? current.fxSource,
    updated_by: userId,
    updated_at: now,
  };
  await tx.insertInto('analytics_settings').values(next)
    .onConflict((oc) => oc.column('org_id').doUpdateSet({ preset: next.preset, test_mode: next.test_mode, exclude: next.exclude, accounts: next.accounts, ltv_max_lifetime_months: next.ltv_max_lifetime_months, fx_source: next.fx_source, updated_by: next.updated_by, updated_at: next.updated_at }))
    .execute();
}

/** Records who imported the exchange-rate file when (creating the settings row if the organisation has none). */
export async function markFxImported(tx: Tx, orgId: string, userId: string | null, now: Date): Promise<void> {
  await tx.insertInto('analytics_settings').values({ org_id: orgId, preset: 'mowt', test_mode: 'auto', exclude: '{}', accounts: 'null', ltv_max_lifetime_months: 60, fx_imported_at: now, fx_imported_by: userId, updated_at: now })
    .onConflict((oc) => oc.column('org_id').doUpdateSet({ fx_imported_at: now, fx_imported_by: userId }))
    .execute();
}
