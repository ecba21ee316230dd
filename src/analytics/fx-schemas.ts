// The JSON answers of /api/orgs/:orgId/analytics/fx-rates (the imported exchange-rate file) as TypeBox
// schemas: the routes' response schemas (Fastify serialises exactly these fields) and, type-only, the web
// app's Exchange rates page. Imports nothing but TypeBox.
import { Type, type Static } from 'typebox';
import { Day, IsoTime, Nullable } from '../http/schema-primitives.js';


export const FxSourceSchema = Type.Union([Type.Literal('stripe'), Type.Literal('imported'), Type.Literal('imported-then-stripe')]);
export type FxSource = Static<typeof FxSourceSchema>;

/** One currency of the file: its first and last day and how many days it has. */
export const FxCurrencySummarySchema = Type.Object({ currency: Type.String(), from: Day, to: Day, days: Type.Integer() });
export type FxCurrencySummary = Static<typeof FxCurrencySummarySchema>;

/** One imported rate: units of the reporting currency per unit of `currency`, kept as the decimal text imported. */
export const FxRateSchema = Type.Object({ date: Day, currency: Type.String(), rate: Type.String() });
export type FxRate = Static<typeof FxRateSchema>;

/** GET …/fx-rates (JSON): the source setting, the file's summary and one page of its rates. */
export const FxRatesViewSchema = Type.Object({
  source: FxSourceSchema,
  reportingCurrency: Type.String(),
  /** the currency the file's rates are expressed in; null when nothing is imported */
  quoteCurrency: Type.Union([Type.String(), Type.Null()]),
  /** false when the file was imported for another reporting currency (kept, not used) */
  usable: Type.Boolean(),
  importedAt: Nullable(IsoTime),
  total: Type.Integer(),
  currencies: Type.Array(FxCurrencySummarySchema),
  page: Type.Integer(),
  pageSize: Type.Integer(),
  /** rates matching the currency filter, over all pages */
  matching: Type.Integer(),
  rates: Type.Array(FxRateSchema),
});
export type FxRatesView = Static<typeof FxRatesViewSchema>;

/** PUT …/fx-rates (202): the file was stored and a full recompute queued. */
export const FxImportedSchema = Type.Object({
  imported: Type.Integer(),
  quoteCurrency: Type.String(),
  currencies: Type.Array(FxCurrencySummarySchema),
  source: FxSourceSchema,
  recompute: Type.Literal('queued'),
});
export type FxImported = Static<typeof FxImportedSchema>;

/** DELETE …/fx-rates: how many rates were removed (0: there was no file). */
export const FxRemovedSchema = Type.Object({ removed: Type.Integer() });
export type FxRemoved = Static<typeof FxRemovedSchema>;
